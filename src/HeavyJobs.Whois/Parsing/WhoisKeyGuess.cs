namespace HeavyJobs.Whois.Parsing;

/// <summary>
/// The heuristic layer under <see cref="WhoisKeyMap"/>: a key no table knows is read by the words in it, so a
/// registry whose wording was never seen ("Registrar Compagnie Name", "Domain server 1", "activated on") still
/// gives its fields. Guesses carry the lowest priority, so a known key on another line always wins, and the
/// builder only keeps a guessed date or host name when the value really is one.
/// </summary>
internal static class WhoisKeyGuess
{
    // Words that make a key about something other than the domain's own registration: contact details, the
    // server's own data, addresses of name servers.
    private static readonly string[] _notAboutTheDomain =
    [
        "whois", "database", "abuse", "url", "mail", "phone", "fax", "iana", "handle", "address", "contact", "admin",
        "tech", "billing", "ipv", "ip ", "street", "city", "country", "postal", "website", "web site", "query",
        "registrant", "holder", "owner", "reseller", "password", "last renewed", "hint", "note", "disclaimer",
    ];

    public static WhoisKey Guess(ReadOnlySpan<char> normalizedKey)
    {
        // RIPE-style keys join their words with hyphens ("name-server", "dns-server"); the words are what count.
        var key = normalizedKey.Contains('-') ? normalizedKey.ToString().Replace('-', ' ').AsSpan() : normalizedKey;
        if (key.Length < 3 || key.Length > 60 || ContainsAny(key, _notAboutTheDomain) || key.EndsWith(" ip", StringComparison.Ordinal)
            || key.EndsWith(" id", StringComparison.Ordinal) || key.StartsWith("id ", StringComparison.Ordinal))
        {
            return WhoisKey.None;
        }

        if (IsNameServerKey(key))
        {
            return WhoisKey.NameServer;
        }

        if (key.Contains("registrar", StringComparison.Ordinal) || key.Contains("registration service", StringComparison.Ordinal))
        {
            // "Sponsoring Registrar Organization", "Registrar Compagnie Name", "Accredited Registrar",
            // "Registration Service Provided By"; dates of the
            // registrar itself are not the domain's.
            return key.EndsWith("name", StringComparison.Ordinal) || key.EndsWith(" registrar", StringComparison.Ordinal) || key.EndsWith("organization", StringComparison.Ordinal)
                || key.EndsWith("organisation", StringComparison.Ordinal) || key.EndsWith("company", StringComparison.Ordinal)
                || key.EndsWith("provided by", StringComparison.Ordinal)
                ? WhoisKey.Registrar
                : WhoisKey.None;
        }

        if (key.Contains("expir", StringComparison.Ordinal) || key.Contains("paid", StringComparison.Ordinal)
            || key.Contains("valid until", StringComparison.Ordinal) || key.Contains("valid to", StringComparison.Ordinal)
            || key.Contains("valid thr", StringComparison.Ordinal)
            || key.EndsWith(" until", StringComparison.Ordinal) || key.EndsWith(" till", StringComparison.Ordinal)
            || key.Contains("renewal", StringComparison.Ordinal) || key.Contains("vence", StringComparison.Ordinal)
            || key.Contains("ablauf", StringComparison.Ordinal) || key.Contains("scaden", StringComparison.Ordinal))
        {
            return WhoisKey.Expires;
        }

        if (key.Contains("updat", StringComparison.Ordinal) || key.Contains("modif", StringComparison.Ordinal)
            || key.Contains("changed", StringComparison.Ordinal) || key.Contains("actualiza", StringComparison.Ordinal)
            || key.Contains("geändert", StringComparison.Ordinal) || key.Contains("änderung", StringComparison.Ordinal)
            || key.Contains("aktualisier", StringComparison.Ordinal))
        {
            return WhoisKey.Updated;
        }

        if (key.Contains("creat", StringComparison.Ordinal) || key.Contains("registered", StringComparison.Ordinal)
            || key.Contains("registration date", StringComparison.Ordinal) || key.Contains("registration time", StringComparison.Ordinal)
            || key.Contains("of registration", StringComparison.Ordinal) || key is "registration"
            || key.Contains("activat", StringComparison.Ordinal) || key.Contains("commencement", StringComparison.Ordinal)
            || key.Contains("creación", StringComparison.Ordinal) || key.Contains("criação", StringComparison.Ordinal)
            || key.StartsWith("eingetragen", StringComparison.Ordinal))
        {
            return WhoisKey.Created;
        }

        // "Name of domain", "Domain name (ASCII)", "Queried domain": kept only when the value is a host name.
        return key.Contains("domain", StringComparison.Ordinal) && !key.Contains("status", StringComparison.Ordinal)
            && !key.Contains("type", StringComparison.Ordinal)
            ? WhoisKey.Domain
            : WhoisKey.None;
    }

    // "Domain server 1", "DNS 2", "nserver", "ns1", "Nameserver (primary)", "Servidor DNS", "Serveur DNS".
    private static bool IsNameServerKey(ReadOnlySpan<char> key)
    {
        if (key.Contains("name server", StringComparison.Ordinal) || key.Contains("nameserver", StringComparison.Ordinal)
            || key.Contains("nserver", StringComparison.Ordinal) || key.Contains("domain server", StringComparison.Ordinal)
            || key.Contains("dns server", StringComparison.Ordinal) || key.Contains("servidor", StringComparison.Ordinal)
            || key.Contains("serveur", StringComparison.Ordinal))
        {
            return true;
        }

        // "dns 1", "ns1", "ns 2", "primary dns", "authoritative dns 2": the word last, a number after it at most.
        var word = key.TrimEnd("0123456789 ");
        return word.EndsWith(" dns", StringComparison.Ordinal) || (word is "dns" or "ns" && word.Length < key.Length);
    }

    private static bool ContainsAny(ReadOnlySpan<char> key, string[] words)
    {
        foreach (var word in words)
        {
            if (key.Contains(word, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
