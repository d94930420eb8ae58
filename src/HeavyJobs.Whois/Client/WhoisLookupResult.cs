namespace HeavyJobs.Whois.Client;

/// <summary>
/// The outcome of a domain lookup: the registry's answer and, for thin registries (or any answer naming another
/// WHOIS server), the answer of the referred server.
/// </summary>
/// <param name="Domain">The domain looked up.</param>
/// <param name="Registry">The answer of the registry server for the domain's suffix.</param>
/// <param name="Referral">The answer of the server named by the registry answer, when one was named and could be queried.</param>
/// <param name="ReferralFailure">Why the named server could not be queried; the registry answer is still useful on its own.</param>
public sealed record WhoisLookupResult(
    string Domain,
    WhoisAnswer Registry,
    WhoisAnswer? Referral = null,
    WhoisReferralFailure? ReferralFailure = null)
{
    /// <summary>The most specific answer: the referral's if there is one, otherwise the registry's.</summary>
    public WhoisAnswer Final => Referral ?? Registry;

    /// <summary>Server name of <see cref="Registry"/>.</summary>
    public string ServerName => Registry.ServerName;

    /// <summary>Raw text of <see cref="Registry"/>.</summary>
    public string RawText => Registry.RawText;

    /// <summary>When <see cref="Registry"/> was fetched.</summary>
    public DateTimeOffset FetchedAt => Registry.FetchedAt;
}

/// <summary>A referral that was named by the registry answer but could not be followed.</summary>
/// <param name="ServerName">The referred server.</param>
/// <param name="Error">The failure; a <see cref="WhoisRateLimitedException"/> tells the caller to back off that server.</param>
public sealed record WhoisReferralFailure(string ServerName, WhoisException Error)
{
    /// <summary>Whether the referred server refused because of its query rate limit.</summary>
    public bool IsRateLimited => Error is WhoisRateLimitedException;
}
