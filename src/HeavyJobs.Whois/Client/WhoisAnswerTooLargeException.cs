namespace HeavyJobs.Whois.Client;

/// <summary>The server sent more than the configured maximum; not retried, the next answer would be as large.</summary>
public sealed class WhoisAnswerTooLargeException : WhoisException
{
    public WhoisAnswerTooLargeException()
        : this(string.Empty, 0)
    {
    }

    public WhoisAnswerTooLargeException(string message)
        : base(message)
    {
    }

    public WhoisAnswerTooLargeException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public WhoisAnswerTooLargeException(string serverName, int maxBytes)
        : base(serverName, $"WHOIS server '{serverName}' sent more than {maxBytes} bytes.")
    {
        MaxBytes = maxBytes;
    }

    /// <summary>The limit that was exceeded.</summary>
    public int MaxBytes { get; }
}
