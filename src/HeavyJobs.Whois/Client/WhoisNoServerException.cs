namespace HeavyJobs.Whois.Client;

/// <summary>The server table lists no registry WHOIS server for the domain's suffix.</summary>
public sealed class WhoisNoServerException : WhoisException
{
    public WhoisNoServerException()
        : this("WHOIS server table has no server for the domain.")
    {
    }

    public WhoisNoServerException(string message)
        : this(message, innerException: null)
    {
    }

    public WhoisNoServerException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Domain = string.Empty;
    }

    private WhoisNoServerException(string domain, string message)
        : base(message)
    {
        Domain = domain;
    }

    /// <summary>The domain whose suffix is not listed.</summary>
    public string Domain { get; }

    internal static WhoisNoServerException ForDomain(string domain) =>
        new(domain, $"No WHOIS server is known for '{domain}'.");
}
