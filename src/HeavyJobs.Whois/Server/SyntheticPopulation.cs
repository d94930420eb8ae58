using System.Globalization;

namespace HeavyJobs.Whois.Server;

/// <summary>
/// A deterministic population of domains named <c>dom-000123.tld</c>: the i-th domain, its suffix, whether it is
/// registered and all its registration data are pure functions of (seed, i), so any process with the same seed
/// and size agrees on every domain without storing any. Lookup by name parses i back out of the name: O(1).
/// </summary>
public sealed class SyntheticPopulation
{
    /// <summary>Leading label of every synthetic name.</summary>
    public const string NamePrefix = "dom-";

    private const int MinDigits = 6;
    private static readonly DateTimeOffset _earliestCreation = new(1996, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly SyntheticPopulationOptions _options;
    private readonly SyntheticTld[] _tlds;
    private readonly int[] _cumulativeWeights;
    private readonly Dictionary<string, SyntheticTld> _tldsBySuffix;

    /// <param name="seed">Seed of every derived value.</param>
    /// <param name="size">Number of domains (indices 0 … size-1).</param>
    /// <param name="options">Registered share, reference date and suffix subset.</param>
    public SyntheticPopulation(long seed, long size, SyntheticPopulationOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        _options = options ?? new SyntheticPopulationOptions();
        if (_options.RegisteredFraction is < 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(options), _options.RegisteredFraction, "RegisteredFraction must be within [0, 1].");

        Seed = seed;
        Size = size;
        _tlds = _options.Suffixes is null
            ? [.. SyntheticCatalog.Tlds]
            : [.. _options.Suffixes.Select(s => AllTlds.FirstOrDefault(t => t.Suffix.Equals(s.Trim('.'), StringComparison.OrdinalIgnoreCase))
                ?? throw new ArgumentException($"Suffix '{s}' is not one of the synthetic suffixes.", nameof(options)))
                .Distinct()];
        if (_tlds.Length == 0)
            throw new ArgumentException("At least one suffix is required.", nameof(options));
        _cumulativeWeights = new int[_tlds.Length];
        var total = 0;
        for (var i = 0; i < _tlds.Length; i++)
            _cumulativeWeights[i] = total += _tlds[i].Weight;
        _tldsBySuffix = _tlds.ToDictionary(t => t.Suffix, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Every suffix a population can use, with its registry and format.</summary>
    public static IReadOnlyList<SyntheticTld> AllTlds => SyntheticCatalog.Tlds;

    /// <summary>The invented registrars, each with its own WHOIS server.</summary>
    public static IReadOnlyList<SyntheticRegistrar> Registrars => SyntheticCatalog.Registrars;

    /// <summary>The seed.</summary>
    public long Seed { get; }

    /// <summary>Number of domains.</summary>
    public long Size { get; }

    /// <summary>The population's "today"; see <see cref="SyntheticPopulationOptions.ReferenceDate"/>.</summary>
    public DateTimeOffset ReferenceDate => _options.ReferenceDate;

    /// <summary>The suffixes in use.</summary>
    public IReadOnlyList<SyntheticTld> Tlds => _tlds;

    /// <summary>The registry server names of the suffixes in use.</summary>
    public IReadOnlyList<string> RegistryServers => [.. _tlds.Select(t => t.RegistryServer).Distinct(StringComparer.OrdinalIgnoreCase)];

    /// <summary>The name of the i-th domain.</summary>
    public string Domain(long index)
    {
        CheckIndex(index);
        return FormatName(index, TldOf(index));
    }

    /// <summary>The i-th domain with its registration data.</summary>
    public SyntheticDomain Describe(long index)
    {
        CheckIndex(index);
        var tld = TldOf(index);
        var name = FormatName(index, tld);
        var registered = new StableRandom(Seed, index, "registered").NextDouble() < _options.RegisteredFraction;
        return new SyntheticDomain(index, name, tld, registered ? Register(index, name, tld) : null);
    }

    /// <summary>The domain of that name, or null when the name is not part of the population.</summary>
    public SyntheticDomain? Lookup(string domainName) =>
        TryGetIndex(domainName, out var index) ? Describe(index) : null;

    /// <summary>Parses the index out of a population name; false for any other name.</summary>
    public bool TryGetIndex(string domainName, out long index)
    {
        index = -1;
        if (string.IsNullOrWhiteSpace(domainName))
            return false;
        var name = domainName.Trim().TrimEnd('.').ToLowerInvariant();
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0 || !name.StartsWith(NamePrefix, StringComparison.Ordinal))
            return false;
        var digits = name.AsSpan(NamePrefix.Length, dot - NamePrefix.Length);
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var candidate) || candidate >= Size)
            return false;

        // The name must be exactly what Domain(i) prints: same padding, and the suffix the index was dealt.
        if (!name.Equals(FormatName(candidate, TldOf(candidate)), StringComparison.Ordinal))
            return false;
        index = candidate;
        return true;
    }

    /// <summary>The population suffix a name falls under (longest match), whether or not the name is in the population.</summary>
    public SyntheticTld? FindTld(string domainName)
    {
        var name = domainName.Trim().TrimEnd('.');
        for (var dot = name.IndexOf('.', StringComparison.Ordinal); dot >= 0; dot = name.IndexOf('.', dot + 1))
        {
            if (_tldsBySuffix.TryGetValue(name[(dot + 1)..], out var tld))
                return tld;
        }

        return null;
    }

    /// <summary>The first index at or after <paramref name="start"/> whose domain satisfies <paramref name="predicate"/>.</summary>
    public SyntheticDomain? FindFirst(Func<SyntheticDomain, bool> predicate, long start = 0)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        for (var i = Math.Max(0, start); i < Size; i++)
        {
            var domain = Describe(i);
            if (predicate(domain))
                return domain;
        }

        return null;
    }

    private static string FormatName(long index, SyntheticTld tld) =>
        string.Create(CultureInfo.InvariantCulture, $"{NamePrefix}{index.ToString("D" + MinDigits, CultureInfo.InvariantCulture)}.{tld.Suffix}");

    private void CheckIndex(long index) => ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((ulong)index, (ulong)Size, nameof(index));

    private SyntheticTld TldOf(long index)
    {
        var rng = new StableRandom(Seed, index, "tld");
        var ticket = rng.Next(_cumulativeWeights[^1]);
        var slot = Array.BinarySearch(_cumulativeWeights, ticket + 1);
        return _tlds[slot >= 0 ? slot : ~slot];
    }

    private SyntheticRegistration Register(long index, string name, SyntheticTld tld)
    {
        var rng = new StableRandom(Seed, index, "registration");
        var registrar = PickRegistrar(ref rng, tld);

        var reference = _options.ReferenceDate;
        var created = RandomInstant(ref rng, _earliestCreation, reference.AddDays(-60));
        var updated = RandomInstant(ref rng, created, reference.AddDays(-1));
        var years = (int)Math.Ceiling((reference - created).TotalDays / 365.2425);
        var expires = created.AddYears(Math.Max(1, years) + rng.Next(3));
        if (expires <= reference)
            expires = expires.AddYears(1);

        var country = tld.Country is not null && rng.Chance(0.9) ? tld.Country : rng.Pick(SyntheticCatalog.GenericCountries);
        var organization = Organization(ref rng, country);
        var state = SyntheticCatalog.States.TryGetValue(country, out var states) ? rng.Pick(states) : null;
        var city = SyntheticCatalog.Cities.TryGetValue(country, out var cities) ? rng.Pick(cities) : "Capital City";
        var contact = $"{rng.Pick(SyntheticCatalog.GivenNames)} {rng.Pick(SyntheticCatalog.FamilyNames)}";

        return new SyntheticRegistration
        {
            Registrar = registrar,
            RegistryDomainId = RegistryDomainId(ref rng, tld),
            CreatedAt = created,
            UpdatedAt = updated,
            ExpiresAt = expires,
            NameServers = NameServers(ref rng, name, registrar),
            Statuses = Statuses(ref rng),
            RegistrantOrganization = organization,
            RegistrantCountry = country,
            RegistrantState = state,
            RegistrantCity = city,
            RegistrantContactName = contact,
            RegistrantHandle = Handle(ref rng),
            Dnssec = rng.Chance(0.2),
            DetailSeed = rng.NextUInt64(),
        };
    }

    private static SyntheticRegistrar PickRegistrar(ref StableRandom rng, SyntheticTld tld)
    {
        // ccTLD domains mostly go through a registrar of that country, as they do in reality.
        var all = SyntheticCatalog.Registrars;
        if (tld.Country is not null && rng.Chance(0.6))
        {
            var local = all.Where(r => r.Country == tld.Country).ToList();
            if (local.Count > 0)
                return rng.Pick(local);
        }

        return rng.Pick(all);
    }

    private static DateTimeOffset RandomInstant(ref StableRandom rng, DateTimeOffset from, DateTimeOffset to)
    {
        var seconds = (long)(to - from).TotalSeconds;
        return from.AddSeconds(seconds <= 0 ? 0 : rng.Next(0L, seconds));
    }

    private static string Organization(ref StableRandom rng, string country)
    {
        var forms = SyntheticCatalog.LegalForms.TryGetValue(country, out var f) ? f : ["Ltd"];
        var form = rng.Chance(0.7) ? forms[0] : rng.Pick(forms);
        if (SyntheticCatalog.LocalNames.TryGetValue(country, out var local) && rng.Chance(0.2))
            return $"{local} {form}";
        return $"{rng.Pick(SyntheticCatalog.Adjectives)} {rng.Pick(SyntheticCatalog.Nouns)} {form}";
    }

    private static string RegistryDomainId(ref StableRandom rng, SyntheticTld tld)
    {
        var number = rng.Next(1_000_000L, 2_999_999_999L);
        return tld.Style switch
        {
            WhoisRegistryStyle.Verisign => string.Create(CultureInfo.InvariantCulture, $"{number}_DOMAIN_{tld.Suffix.ToUpperInvariant()}-VRSN"),
            WhoisRegistryStyle.Pir => string.Create(CultureInfo.InvariantCulture, $"D{number}-LROR"),
            WhoisRegistryStyle.IdentityDigital => string.Create(CultureInfo.InvariantCulture, $"D5033{number:D14}-LRMS"),
            WhoisRegistryStyle.GoDaddyRegistry => string.Create(CultureInfo.InvariantCulture, $"D{number}-BIZ"),
            WhoisRegistryStyle.Auda => string.Create(CultureInfo.InvariantCulture, $"D4074{number:D14}-AU"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{number}"),
        };
    }

    private static IReadOnlyList<string> NameServers(ref StableRandom rng, string name, SyntheticRegistrar registrar)
    {
        var count = 2 + rng.Next(3);
        var registrarDomain = registrar.WhoisServer["whois.".Length..];
        switch (rng.Next(5))
        {
            case 0:
                {
                    // Two personal names on one host, like the big anycast providers hand out.
                    var names = SyntheticCatalog.EmberEdgeNames;
                    var first = rng.Next(names.Count);
                    var second = (first + 1 + rng.Next(names.Count - 1)) % names.Count;
                    return [$"{names[first]}.ns.emberedge.com", $"{names[second]}.ns.emberedge.com"];
                }

            case 1:
                {
                    // Route-53-like: numbered servers spread over several zones.
                    var servers = new string[count];
                    for (var i = 0; i < count; i++)
                    {
                        var zone = SyntheticCatalog.CumulusZones[i % SyntheticCatalog.CumulusZones.Count];
                        servers[i] = string.Create(CultureInfo.InvariantCulture, $"ns-{(i * 512) + 1 + rng.Next(511)}.cumulusdns-{rng.Next(10, 64):D2}.{zone}");
                    }

                    return servers;
                }

            case 2:
                {
                    var provider = rng.Pick(SyntheticCatalog.NumberedProviders);
                    return [.. Enumerable.Range(1, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"ns{i}.{provider}"))];
                }

            case 3:
                return [.. Enumerable.Range(1, Math.Min(count, 3)).Select(i => string.Create(CultureInfo.InvariantCulture, $"dns{i}.{registrarDomain}"))];
            default:
                // In-bailiwick servers: the zone serves itself.
                return [.. Enumerable.Range(1, 2).Select(i => string.Create(CultureInfo.InvariantCulture, $"ns{i}.{name}"))];
        }
    }

    private static IReadOnlyList<string> Statuses(ref StableRandom rng)
    {
        var roll = rng.NextDouble();
        return roll switch
        {
            < 0.25 => ["ok"],
            < 0.60 => ["clientTransferProhibited"],
            < 0.85 => ["clientDeleteProhibited", "clientTransferProhibited", "clientUpdateProhibited"],
            < 0.95 => ["clientDeleteProhibited", "clientTransferProhibited", "clientUpdateProhibited", "serverDeleteProhibited", "serverTransferProhibited", "serverUpdateProhibited"],
            _ => ["clientHold", "clientTransferProhibited"],
        };
    }

    private static string Handle(ref StableRandom rng)
    {
        Span<char> letters = stackalloc char[3];
        for (var i = 0; i < letters.Length; i++)
            letters[i] = (char)('A' + rng.Next(26));
        return string.Create(CultureInfo.InvariantCulture, $"{letters}{rng.Next(100, 99999)}");
    }
}
