namespace HeavyJobs.Whois.Client;

/// <summary>Server-specific decorations of the query line.</summary>
public static class WhoisQueryFormat
{
    /// <summary>
    /// The domain as is, except for JPRS, which answers in Japanese unless the query ends in <c>/e</c>
    /// (the English answer is the one parsers and the corpus know).
    /// </summary>
    public static string Default(string serverName, string domain) =>
        serverName.Equals("whois.jprs.jp", StringComparison.OrdinalIgnoreCase) ? domain + "/e" : domain;

    /// <summary>The domain as is, for every server.</summary>
    public static string Plain(string serverName, string domain) => domain;
}
