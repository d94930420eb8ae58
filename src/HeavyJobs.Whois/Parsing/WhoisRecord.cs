namespace HeavyJobs.Whois.Parsing;

/// <summary>The fields read from one raw WHOIS answer.</summary>
public sealed record WhoisRecord
{
    public required WhoisStatus Status { get; init; }

    /// <summary>The domain as the registry wrote it, lower-cased; IDN answers keep their Unicode form.</summary>
    public string? Domain { get; init; }

    public string? Registrar { get; init; }

    /// <summary>Creation instant in UTC.</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary>Last-change instant in UTC.</summary>
    public DateTimeOffset? Updated { get; init; }

    /// <summary>Expiry instant in UTC.</summary>
    public DateTimeOffset? Expires { get; init; }

    /// <summary>Host names, lower-case, without trailing dot, deduplicated, in answer order.</summary>
    public IReadOnlyList<string> NameServers { get; init; } = [];

    public IReadOnlyList<string> Statuses { get; init; } = [];

    public string? RegistrantOrganization { get; init; }

    public string? RegistrantCountry { get; init; }

    /// <summary>Why the answer is <see cref="WhoisStatus.Bad"/>; null otherwise.</summary>
    public string? Error { get; init; }

    public static WhoisRecord Bad(string error, string? domain = null) =>
        new() { Status = WhoisStatus.Bad, Error = error, Domain = domain };

    public static WhoisRecord NotFound(string? domain) =>
        new() { Status = WhoisStatus.NotFound, Domain = domain };
}
