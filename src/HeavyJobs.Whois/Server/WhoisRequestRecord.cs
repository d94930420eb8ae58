namespace HeavyJobs.Whois.Server;

/// <summary>What a logical server did with a request.</summary>
public enum WhoisServedOutcome
{
    /// <summary>Answered with the record.</summary>
    Record,

    /// <summary>Answered "not found".</summary>
    NotFound,

    /// <summary>Answered with its rate-limit message.</summary>
    RateLimited,

    /// <summary>Reset the connection.</summary>
    Reset,

    /// <summary>Closed the connection without a byte.</summary>
    ClosedWithoutAnswer,

    /// <summary>Sent random bytes.</summary>
    Garbage,

    /// <summary>Sent a prefix of the answer.</summary>
    Truncated,
}

/// <summary>One request received by a logical server of <see cref="LocalWhoisServer"/>.</summary>
/// <param name="ServerName">The logical server.</param>
/// <param name="Query">The query line as received, without CRLF.</param>
/// <param name="Domain">The domain extracted from the query (flags such as <c>-T dn,ace</c> or <c>/e</c> removed).</param>
/// <param name="ReceivedAt">When the query line was complete, from the server's <see cref="TimeProvider"/>.</param>
/// <param name="Outcome">What the server did.</param>
public sealed record WhoisRequestRecord(string ServerName, string Query, string Domain, DateTimeOffset ReceivedAt, WhoisServedOutcome Outcome);
