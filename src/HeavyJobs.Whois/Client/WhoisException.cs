namespace HeavyJobs.Whois.Client;

/// <summary>Base of the failures of a WHOIS query; always names the server involved.</summary>
public class WhoisException : Exception
{
    public WhoisException()
        : this(string.Empty, "WHOIS query failed.")
    {
    }

    public WhoisException(string message)
        : this(string.Empty, message)
    {
    }

    public WhoisException(string message, Exception? innerException)
        : this(string.Empty, message, innerException)
    {
    }

    public WhoisException(string serverName, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ServerName = serverName;
    }

    /// <summary>The WHOIS server name the failure belongs to (empty when no server was chosen).</summary>
    public string ServerName { get; }
}
