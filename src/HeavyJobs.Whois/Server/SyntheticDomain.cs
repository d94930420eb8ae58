namespace HeavyJobs.Whois.Server;

/// <summary>One domain of a <see cref="SyntheticPopulation"/>.</summary>
/// <param name="Index">Position in the population.</param>
/// <param name="Name">Lower-case domain name, e.g. <c>dom-000123.com</c>.</param>
/// <param name="Tld">Its suffix and registry.</param>
/// <param name="Registration">The registration, or null for a domain whose lookup answers "not found".</param>
public sealed record SyntheticDomain(long Index, string Name, SyntheticTld Tld, SyntheticRegistration? Registration)
{
    /// <summary>Whether the registry holds a record for the domain.</summary>
    public bool IsRegistered => Registration is not null;
}

/// <summary>The registration data of a registered synthetic domain.</summary>
public sealed record SyntheticRegistration
{
    /// <summary>The sponsoring registrar.</summary>
    public required SyntheticRegistrar Registrar { get; init; }

    /// <summary>Registry object id in the registry's own format (e.g. <c>123_DOMAIN_COM-VRSN</c>).</summary>
    public required string RegistryDomainId { get; init; }

    /// <summary>Creation instant (UTC, whole seconds).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Last update instant (UTC, whole seconds).</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Expiry instant (UTC, whole seconds).</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Two to four lower-case name server host names.</summary>
    public required IReadOnlyList<string> NameServers { get; init; }

    /// <summary>EPP status codes (<c>ok</c>, <c>clientTransferProhibited</c>, …).</summary>
    public required IReadOnlyList<string> Statuses { get; init; }

    /// <summary>Registrant organisation (may contain non-ASCII letters).</summary>
    public required string RegistrantOrganization { get; init; }

    /// <summary>Registrant ISO country code.</summary>
    public required string RegistrantCountry { get; init; }

    /// <summary>Registrant state or province, where the country has them.</summary>
    public string? RegistrantState { get; init; }

    /// <summary>Registrant city.</summary>
    public required string RegistrantCity { get; init; }

    /// <summary>Registrant contact person (synthetic).</summary>
    public required string RegistrantContactName { get; init; }

    /// <summary>Registry contact handle of the registrant.</summary>
    public required string RegistrantHandle { get; init; }

    /// <summary>Whether the zone is DNSSEC-signed.</summary>
    public required bool Dnssec { get; init; }

    /// <summary>Seed for template details that need randomness (ids of other contacts, DS digests) so renders are repeatable.</summary>
    internal ulong DetailSeed { get; init; }
}
