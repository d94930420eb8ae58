namespace HeavyJobs.Whois.Client;

/// <summary>What went wrong on the wire.</summary>
public enum WhoisConnectionFailure
{
    /// <summary>Any other socket error.</summary>
    Network,

    /// <summary>The server refused the TCP connection.</summary>
    Refused,

    /// <summary>The connection was reset or aborted before the answer was complete.</summary>
    Reset,

    /// <summary>Connecting, reading or the whole exchange took longer than configured.</summary>
    Timeout,

    /// <summary>The server closed the connection without sending a byte.</summary>
    EmptyAnswer,

    /// <summary>The server name does not resolve.</summary>
    HostNotFound,
}

/// <summary>A WHOIS query failed on the wire; transient kinds were already retried by the client.</summary>
public sealed class WhoisConnectionException : WhoisException
{
    public WhoisConnectionException()
        : this(string.Empty, WhoisConnectionFailure.Network, "WHOIS connection failed.")
    {
    }

    public WhoisConnectionException(string message)
        : this(string.Empty, WhoisConnectionFailure.Network, message)
    {
    }

    public WhoisConnectionException(string message, Exception? innerException)
        : this(string.Empty, WhoisConnectionFailure.Network, message, innerException)
    {
    }

    public WhoisConnectionException(string serverName, WhoisConnectionFailure failure, string message, Exception? innerException = null)
        : base(serverName, message, innerException)
    {
        Failure = failure;
    }

    /// <summary>The kind of failure.</summary>
    public WhoisConnectionFailure Failure { get; }

    /// <summary>Whether trying again later may succeed (everything but an unknown host).</summary>
    public bool IsTransient => Failure != WhoisConnectionFailure.HostNotFound;
}
