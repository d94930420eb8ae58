namespace HeavyJobs.Whois.Client;

/// <summary>Finds the WHOIS server a registry answer refers to (thin registries name the registrar's server).</summary>
internal static class WhoisReferralParser
{
    private static readonly string[] _keys =
    [
        "Registrar WHOIS Server:",
        "Whois Server:",
        "ReferralServer:",
    ];

    /// <summary>The referred server name (lower case, <c>host</c> or <c>host:port</c>), or null.</summary>
    public static string? FindReferral(string answer)
    {
        foreach (var rawLine in answer.AsSpan().EnumerateLines())
        {
            var line = rawLine.Trim();
            foreach (var key in _keys)
            {
                if (!line.StartsWith(key, StringComparison.OrdinalIgnoreCase))
                    continue;
                var server = NormalizeServer(line[key.Length..].Trim().ToString());
                if (server is not null)
                    return server;
            }
        }

        return null;
    }

    /// <summary>
    /// Reduces a referral value to a server name. Registrars write it many ways (<c>whois://host:43</c>,
    /// <c>http://host/</c>, <c>HOST</c>); rwhois and web-only referrals cannot be followed over port 43.
    /// </summary>
    internal static string? NormalizeServer(string value)
    {
        var text = value.Trim();
        if (text.Length == 0)
            return null;
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            var name = text[..scheme];
            if (!name.Equals("whois", StringComparison.OrdinalIgnoreCase)
                && !name.Equals("http", StringComparison.OrdinalIgnoreCase)
                && !name.Equals("https", StringComparison.OrdinalIgnoreCase))
                return null;
            text = text[(scheme + 3)..];
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
            text = text[..slash];
        text = text.Trim().TrimEnd('.').ToLowerInvariant();
        if (text.EndsWith(":43", StringComparison.Ordinal))
            text = text[..^3];

        // A host name has a dot and no spaces; anything else is prose ("see the registrar's website").
        if (text.Length == 0 || !text.Contains('.', StringComparison.Ordinal) || text.Any(char.IsWhiteSpace))
            return null;
        return text;
    }
}
