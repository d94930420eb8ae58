using System.Text.RegularExpressions;

namespace HeavyJobs.Whois.Client;

/// <summary>
/// Recognises answers in which a server refuses a query because of its rate limit. The phrases are specific on
/// purpose: many registries' terms of use say their service "is rate limited" or warn about "too many queries",
/// and those records must not be mistaken for refusals.
/// </summary>
public static class WhoisRateLimitDetector
{
    /// <summary>The built-in phrases, as case-insensitive regular expressions.</summary>
    public static IReadOnlyList<string> DefaultPatterns { get; } =
    [
        @"query limit exceeded",
        @"quota exceeded",
        @"quota\b[^\r\n]{0,80}\bhas been exceeded",
        @"whois limit exceeded",
        @"(?:rate|request|connection|access|daily|lookup) limit (?:exceeded|reached)",
        @"access control limit",
        @"too many requests",
        @"exceeded the maximum allowable number of whois queries",
        @"exceeded (?:the|your) (?:allowed |maximum )?(?:query|request|lookup)(?: rate| quota| limit)",
        @"maximum (?:daily )?(?:connection|query) limit reached",
        @"queried interval is too short",
    ];

    // Declared after DefaultPatterns: static initialisers run in text order.
    private static readonly Regex _default = Build(DefaultPatterns);

    /// <summary>Whether <paramref name="answer"/> is a rate-limit refusal by the built-in phrases.</summary>
    public static bool IsRateLimited(string answer) => _default.IsMatch(answer);

    /// <summary>Builds a detector from the built-in phrases plus <paramref name="extraPatterns"/>.</summary>
    public static Func<string, bool> Create(IEnumerable<string> extraPatterns)
    {
        ArgumentNullException.ThrowIfNull(extraPatterns);
        var extra = extraPatterns.ToList();
        if (extra.Count == 0)
            return IsRateLimited;
        return Build(DefaultPatterns.Concat(extra)).IsMatch;
    }

    private static Regex Build(IEnumerable<string> patterns) => new(
        string.Join('|', patterns.Select(p => "(?:" + p + ")")),
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled,
        TimeSpan.FromSeconds(1));
}
