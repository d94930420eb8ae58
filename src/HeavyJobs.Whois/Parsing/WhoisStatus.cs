namespace HeavyJobs.Whois.Parsing;

/// <summary>What a WHOIS answer says about the queried domain.</summary>
public enum WhoisStatus
{
    /// <summary>The registry holds a record for the domain.</summary>
    Registered,

    /// <summary>The registry answered that it has no such domain.</summary>
    NotFound,

    /// <summary>The answer could not be used (empty, garbled, truncated, rate limited, ...); see <see cref="WhoisRecord.Error"/>.</summary>
    Bad,
}
