namespace HeavyJobs.Whois.Server;

/// <summary>
/// Extracts the domain from a query line as clients send it. The Debian whois client, for instance, sends
/// <c>-T dn,ace name.de</c> to DENIC, <c>name.jp/e</c> to JPRS and <c>-V Md5.5.17 name</c> to RIPE-like servers;
/// Verisign accepts <c>domain name</c> and <c>=name</c>. The domain is always the last token.
/// </summary>
internal static class WhoisQueryLine
{
    private static readonly char[] _separators = [' ', '\t'];

    public static string ExtractDomain(string queryLine)
    {
        var tokens = queryLine.Split(_separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (tokens.Length == 0)
            return string.Empty;
        var domain = tokens[^1];
        if (domain.EndsWith("/e", StringComparison.OrdinalIgnoreCase))
            domain = domain[..^2];
        return domain.TrimStart('=').TrimEnd('.').ToLowerInvariant();
    }
}
