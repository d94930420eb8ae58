using System.Collections.Frozen;

namespace HeavyJobs.Whois.Parsing;

/// <summary>
/// Maps normalised keys (lower case, '_' as space, single spaces, no trailing dots) to fields.
/// Frozen dictionaries with a span lookup keep the per-line cost to one hash of a stack buffer.
/// </summary>
internal static class WhoisKeyMap
{
    public const int MaxKeyLength = 160;

    private static readonly FrozenDictionary<string, WhoisKey> _keys = new Dictionary<string, WhoisKey>(StringComparer.Ordinal)
    {
        ["domain name"] = WhoisKey.Domain,
        ["domain"] = WhoisKey.Domain,
        ["domainname"] = WhoisKey.Domain,

        ["registrar"] = WhoisKey.Registrar,
        ["registrar name"] = WhoisKey.Registrar,
        ["sponsoring registrar"] = WhoisKey.Registrar,
        ["registration service provider"] = WhoisKey.Registrar,
        ["authorized agency"] = WhoisKey.Registrar,
        ["current registar"] = WhoisKey.Registrar,
        ["current registrar"] = WhoisKey.Registrar,

        ["creation date"] = WhoisKey.Created,
        ["created"] = WhoisKey.Created,
        ["created date"] = WhoisKey.Created,
        ["created on"] = WhoisKey.Created,
        ["create date"] = WhoisKey.Created,
        ["registered"] = WhoisKey.Created,
        ["registered on"] = WhoisKey.Created,
        ["registered date"] = WhoisKey.Created,
        ["registration date"] = WhoisKey.Created,
        ["registration time"] = WhoisKey.Created,
        ["domain registered"] = WhoisKey.Created,
        ["domain record activated"] = WhoisKey.Created,
        ["domain name commencement date"] = WhoisKey.Created,
        ["record created"] = WhoisKey.Created,
        ["record created on"] = WhoisKey.Created,
        ["domain created"] = WhoisKey.Created,
        ["first registration date"] = WhoisKey.Created,
        ["domain dateregistered"] = WhoisKey.Created,
        ["domain registration date"] = WhoisKey.Created,

        ["updated date"] = WhoisKey.Updated,
        ["updated"] = WhoisKey.Updated,
        ["updated on"] = WhoisKey.Updated,
        ["update date"] = WhoisKey.Updated,
        ["last updated"] = WhoisKey.Updated,
        ["last updated date"] = WhoisKey.Updated,
        ["last update"] = WhoisKey.Updated,
        ["last-update"] = WhoisKey.Updated,
        ["last-updated"] = WhoisKey.Updated,
        ["last modified"] = WhoisKey.Updated,
        ["last-modified"] = WhoisKey.Updated,
        ["modified"] = WhoisKey.Updated,
        ["modification date"] = WhoisKey.Updated,
        ["changed"] = WhoisKey.Updated,
        ["domain record last updated"] = WhoisKey.Updated,
        ["domain datelastmodified"] = WhoisKey.Updated,
        ["record last updated on"] = WhoisKey.Updated,

        ["registry expiry date"] = WhoisKey.Expires,
        ["registrar registration expiration date"] = WhoisKey.Expires,
        ["registry expiration date"] = WhoisKey.Expires,
        ["expiry date"] = WhoisKey.Expires,
        ["expiry"] = WhoisKey.Expires,
        ["expiration date"] = WhoisKey.Expires,
        ["expiration time"] = WhoisKey.Expires,
        ["expires"] = WhoisKey.Expires,
        ["expires on"] = WhoisKey.Expires,
        ["expire"] = WhoisKey.Expires,
        ["expire date"] = WhoisKey.Expires,
        ["expire-date"] = WhoisKey.Expires,
        ["paid-till"] = WhoisKey.Expires,
        ["renewal date"] = WhoisKey.Expires,
        ["record will expire on"] = WhoisKey.Expires,
        ["record expires on"] = WhoisKey.Expires,
        ["domain expires"] = WhoisKey.Expires,
        ["domain expiration date"] = WhoisKey.Expires,
        ["valid until"] = WhoisKey.Expires,
        ["domain datebilleduntil"] = WhoisKey.Expires,

        ["name server"] = WhoisKey.NameServer,
        ["name servers"] = WhoisKey.NameServer,
        ["nameserver"] = WhoisKey.NameServer,
        ["nameservers"] = WhoisKey.NameServer,
        ["nserver"] = WhoisKey.NameServer,
        ["domain nameservers"] = WhoisKey.NameServer,
        ["primary server"] = WhoisKey.NameServer,
        ["secondary server"] = WhoisKey.NameServer,
        ["dns"] = WhoisKey.WeakNameServer,
        ["hostname"] = WhoisKey.HostName,
        ["host name"] = WhoisKey.HostName,
        ["호스트이름"] = WhoisKey.HostName,

        ["domain status"] = WhoisKey.DomainStatus,
        ["query status"] = WhoisKey.DomainStatus,
        ["status"] = WhoisKey.Status,
        ["state"] = WhoisKey.Status,

        ["registrant organization"] = WhoisKey.RegistrantOrganization,
        ["registrant organisation"] = WhoisKey.RegistrantOrganization,
        ["registrant"] = WhoisKey.Registrant,
        ["owner"] = WhoisKey.Registrant,
        ["holder"] = WhoisKey.RegistrantHandle,
        ["holder-c"] = WhoisKey.RegistrantHandle,
        ["owner-c"] = WhoisKey.RegistrantHandle,
        ["nic-hdl"] = WhoisKey.ContactHandle,
        ["nic-hdl-br"] = WhoisKey.ContactHandle,
        ["registrant country"] = WhoisKey.RegistrantCountry,
        ["registrant country code"] = WhoisKey.RegistrantCountry,

        ["name"] = WhoisKey.Name,
        ["organization"] = WhoisKey.Organization,
        ["organisation"] = WhoisKey.Organization,
        ["org"] = WhoisKey.Organization,
        ["organization name"] = WhoisKey.Organization,
        ["company name"] = WhoisKey.Organization,
        ["country"] = WhoisKey.Country,
        ["country code"] = WhoisKey.Country,
        ["country / region"] = WhoisKey.Country,
    }.WithEntries(WhoisRegistryKeys.Entries).ToFrozenDictionary(StringComparer.Ordinal);

    // Keys that carry a handle and also start a block about that party (.sk, .ua: "Registrar: ACTI-0024" then "Name: ...").
    private static readonly FrozenDictionary<string, WhoisSection> _openingKeys = new Dictionary<string, WhoisSection>(StringComparer.Ordinal)
    {
        ["registrar"] = WhoisSection.Registrar,
        ["domain registrant"] = WhoisSection.Registrant,
        ["administrative contact"] = WhoisSection.OtherContact,
        ["admin contact"] = WhoisSection.OtherContact,
        ["technical contact"] = WhoisSection.OtherContact,
        ["tech contact"] = WhoisSection.OtherContact,
        ["billing contact"] = WhoisSection.OtherContact,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, WhoisSection> _headers = new Dictionary<string, WhoisSection>(StringComparer.Ordinal)
    {
        ["domain"] = WhoisSection.Domain,
        ["domain name"] = WhoisSection.Domain,
        ["domain information"] = WhoisSection.Domain,
        ["registrar"] = WhoisSection.Registrar,
        ["registrar information"] = WhoisSection.Registrar,
        ["sponsoring registrar"] = WhoisSection.Registrar,
        ["registrant"] = WhoisSection.Registrant,
        ["registrant contact"] = WhoisSection.Registrant,
        ["registrant contact information"] = WhoisSection.Registrant,
        ["holder"] = WhoisSection.Registrant,
        ["domain holder"] = WhoisSection.Registrant,
        ["owner"] = WhoisSection.Registrant,
        ["owner contact"] = WhoisSection.Registrant,
        ["organization using domain name"] = WhoisSection.Registrant,
        ["domain status"] = WhoisSection.Status,
        ["registration status"] = WhoisSection.Status,
        ["status"] = WhoisSection.Status,
        ["whois"] = WhoisSection.Meta,

        // .tr closes with "** Whois Server:" and the time its data was last refreshed: not the domain's update.
        ["whois server"] = WhoisSection.Meta,
        ["disclaimer"] = WhoisSection.Meta,
    }.WithEntries(WhoisRegistryKeys.Headers).ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, WhoisKey>.AlternateLookup<ReadOnlySpan<char>> _keyLookup =
        _keys.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly FrozenDictionary<string, WhoisSection>.AlternateLookup<ReadOnlySpan<char>> _openingLookup =
        _openingKeys.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly FrozenDictionary<string, WhoisSection>.AlternateLookup<ReadOnlySpan<char>> _headerLookup =
        _headers.GetAlternateLookup<ReadOnlySpan<char>>();

    public static WhoisKey Lookup(ReadOnlySpan<char> normalizedKey)
    {
        if (_keyLookup.TryGetValue(normalizedKey, out var key))
        {
            return key;
        }

        // .nz numbers its name servers: "ns_name_01", "ns_name_02", ...
        if (normalizedKey.StartsWith("ns name ", StringComparison.Ordinal))
        {
            return WhoisKey.NameServer;
        }

        // .hk: "Company English Name (It should be the same as the registered/corporation name on your ...)".
        if (normalizedKey.StartsWith("company english name", StringComparison.Ordinal))
        {
            return WhoisKey.Organization;
        }

        // Numbered keys: "Name server 1", "Domain server 2", "nserver3", "Name Server #1".
        var unnumbered = normalizedKey.TrimEnd("0123456789").TrimEnd('#').TrimEnd();
        if (unnumbered.Length < normalizedKey.Length && unnumbered.Length > 0 && _keyLookup.TryGetValue(unnumbered, out key))
        {
            return key;
        }

        // A plural mark: "Registrar(s)", "Name Server(s)".
        if (normalizedKey.EndsWith("(s)", StringComparison.Ordinal) && normalizedKey.Length > 3)
        {
            return Lookup(normalizedKey[..^3].TrimEnd());
        }

        // A note after the key: "Creation Date (dd/mm/yyyy)", "Name Server (DNS)".
        var paren = normalizedKey.LastIndexOf(" (", StringComparison.Ordinal);
        if (paren > 0 && normalizedKey[^1] == ')' && _keyLookup.TryGetValue(normalizedKey[..paren], out key))
        {
            return key;
        }

        // Bilingual keys: "Nome de domínio / Domain Name", "Data de registo / Creation Date (dd/mm/yyyy)".
        var slash = normalizedKey.IndexOf(" / ", StringComparison.Ordinal);
        if (slash > 0)
        {
            var first = Lookup(normalizedKey[..slash]);
            return first != WhoisKey.None ? first : Lookup(normalizedKey[(slash + 3)..]);
        }

        // RIPE-style servers join a key's words with hyphens ("expiration-date", "name-server-1"): the same key.
        if (normalizedKey.IndexOf('-') <= 0)
        {
            return WhoisKey.None;
        }

        Span<char> spaced = stackalloc char[MaxKeyLength];
        var length = Dehyphenate(normalizedKey, spaced);
        return length > 0 ? Lookup(spaced[..length]) : WhoisKey.None;
    }

    // Writes the key with each hyphen between two words turned into a space; returns 0 when it has none, so the keys
    // the map spells with one ("paid-till", "nic-hdl") are only ever looked up as written.
    private static int Dehyphenate(ReadOnlySpan<char> key, Span<char> buffer)
    {
        var hyphen = key.IndexOf('-');
        if (hyphen <= 0 || key.Length > buffer.Length)
        {
            return 0;
        }

        var changed = false;
        key.CopyTo(buffer);
        for (var i = hyphen; i < key.Length - 1; i++)
        {
            if (key[i] == '-' && char.IsLetterOrDigit(key[i - 1]) && char.IsLetterOrDigit(key[i + 1]))
            {
                buffer[i] = ' ';
                changed = true;
            }
        }

        return changed ? key.Length : 0;
    }

    /// <summary>Keys that start an object of their own when they open a paragraph (FRED, RIPE and ISNIC answers).</summary>
    public static bool IsObjectKey(ReadOnlySpan<char> normalizedKey) =>
        normalizedKey is "contact" or "person" or "role" or "nsset" or "keyset" or "mntner" or "key-cert" or "server name";

    public static WhoisSection OpeningSection(ReadOnlySpan<char> normalizedKey) =>
        _openingLookup.TryGetValue(normalizedKey, out var section) ? section : WhoisSection.None;

    /// <summary>Classifies a header: a key with no value ("Registrar:") or a bare title line ("Nameservers").</summary>
    public static WhoisSection HeaderSection(ReadOnlySpan<char> normalizedKey)
    {
        if (_headerLookup.TryGetValue(normalizedKey, out var section))
        {
            return section;
        }

        // Bilingual titles: "Titular / Registrant", "Servidores / Nameservers".
        var slash = normalizedKey.IndexOf(" / ", StringComparison.Ordinal);
        if (slash > 0)
        {
            var first = HeaderSection(normalizedKey[..slash]);
            return first != WhoisSection.Other ? first : HeaderSection(normalizedKey[(slash + 3)..]);
        }

        // "Name-Servers:", "Domain-Holder:" title the same lists as their spaced spellings.
        if (normalizedKey.IndexOf('-') > 0)
        {
            Span<char> spaced = stackalloc char[MaxKeyLength];
            var length = Dehyphenate(normalizedKey, spaced);
            if (length > 0 && HeaderSection(spaced[..length]) is var dehyphenated && dehyphenated != WhoisSection.Other)
            {
                return dehyphenated;
            }
        }

        if (WhoisKeyGuess.HasNameServerWord(normalizedKey)
            || (normalizedKey.EndsWith(" servers", StringComparison.Ordinal) && !normalizedKey.Contains("whois", StringComparison.Ordinal))
            || normalizedKey.EndsWith(" dns", StringComparison.Ordinal)
            || Lookup(normalizedKey) == WhoisKey.NameServer)
        {
            // The last: a name-server key in any of the map's languages titling a list ("Naamservers:", "Ad Sunucuları:").
            return WhoisSection.NameServers;
        }

        return IsContactTitle(normalizedKey) ? WhoisSection.OtherContact : WhoisSection.Other;
    }

    // "Admin Contact(s)", "Technical Contacts", "Administrative Contact/Agent", "Tech", "Onsite(s)"; but not an empty
    // field such as "Registrar Abuse Contact Phone:", which says nothing about where the next lines belong.
    private static bool IsContactTitle(ReadOnlySpan<char> key) =>
        key.EndsWith("contact", StringComparison.Ordinal)
        || key.EndsWith("contacts", StringComparison.Ordinal)
        || key.EndsWith("contact(s)", StringComparison.Ordinal)
        || key.EndsWith("contact information", StringComparison.Ordinal)
        || key.EndsWith("contact/agent", StringComparison.Ordinal)
        || key is "admin" or "administrative" or "tech" or "technical" or "billing" or "onsite" or "onsite(s)" or "reseller";

    private static Dictionary<string, TValue> WithEntries<TValue>(this Dictionary<string, TValue> map, (string, TValue)[] entries)
    {
        foreach (var (key, value) in entries)
        {
            // The common table wins: a registry entry only adds keys.
            map.TryAdd(key, value);
        }

        return map;
    }

    /// <summary>
    /// Writes the normalised form of <paramref name="key"/> into <paramref name="buffer"/>; returns its length,
    /// or -1 when the key is too long to be a key.
    /// </summary>
    public static int Normalize(ReadOnlySpan<char> key, Span<char> buffer)
    {
        var length = 0;
        var pendingSpace = false;
        foreach (var c in key)
        {
            // Any space counts as one: a no-break space between a key's words ("Name\u00A0Server") is still a space.
            if (c == '_' || char.IsWhiteSpace(c))
            {
                pendingSpace = length > 0;
                continue;
            }

            if (pendingSpace)
            {
                if (length >= buffer.Length)
                {
                    return -1;
                }

                buffer[length++] = ' ';
                pendingSpace = false;
            }

            if (length >= buffer.Length)
            {
                return -1;
            }

            buffer[length++] = char.ToLowerInvariant(c);
        }

        // fi/kz pad keys with dots: "domain.............:".
        while (length > 0 && buffer[length - 1] is '.' or ' ')
        {
            length--;
        }

        return length;
    }
}
