namespace HeavyJobs.Whois.Client;

/// <summary>
/// The server answered with a rate-limit message instead of a record. Not retried by the client: the caller
/// should back off <see cref="WhoisException.ServerName"/> (retrying at once only makes the ban longer).
/// </summary>
public sealed class WhoisRateLimitedException : WhoisException
{
    public WhoisRateLimitedException()
        : this(string.Empty, string.Empty)
    {
    }

    public WhoisRateLimitedException(string message)
        : base(message)
    {
        AnswerText = string.Empty;
    }

    public WhoisRateLimitedException(string message, Exception? innerException)
        : base(message, innerException)
    {
        AnswerText = string.Empty;
    }

    public WhoisRateLimitedException(string serverName, string answerText)
        : base(serverName, $"WHOIS server '{serverName}' refused the query: rate limit exceeded.")
    {
        AnswerText = answerText;
    }

    /// <summary>The server's refusal, verbatim; some servers say when the quota is replenished.</summary>
    public string AnswerText { get; }
}
