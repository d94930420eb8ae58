using System.Buffers;

namespace HeavyJobs.Whois.Parsing;

/// <summary>
/// Recognises the sentences registries use instead of data: "no such domain", "slow down", garbage.
/// The same words turn up in terms of use ("If too many queries are received ...", "No match for" examples),
/// so only short lines are looked at, and the parser asks only when the answer carries no registration data.
/// </summary>
internal static class WhoisAnswerMarkers
{
    public const int MaxMarkerLineLength = 200;

    // Some registries say "not registered" in one long sentence with where to register it; asked only of answers
    // without registration data, so a longer line is safe here than for the throttling notices.
    private const int MaxNotFoundLineLength = 400;

    // Control characters other than line breaks, tabs and form feeds, and the replacement character of bad decoding.
    private static readonly SearchValues<char> _suspicious = SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000B\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015"
        + "\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u007F\uFFFD");

    // Some two hundred phrases, looked for in every line of an answer without registration data: one search for all.
    private static readonly SearchValues<string> _notFoundFragments =
        SearchValues.Create(WhoisNotFoundPhrases.Fragments, StringComparison.OrdinalIgnoreCase);

    // Deliberately specific: terms of use talk about "rate limited" access and "blacklisted" addresses too.
    private static readonly string[] _rateLimitFragments =
    [
        "limit exceeded",
        "limits exceeded",
        "limit reached",
        "been rate limited",
        "too many requests",
        "too many queries",
        "too many connections",
        "quota exceeded",
        "exceeded the query",
        "exceeded the maximum",
        "you have exceeded",
        "has exceeded",
        "exceeded your",
        "excessive querying",
        "maximum query rate",
        "interval is too short",
        "try again later",
        "temporarily blocked",
        "temporarily denied",
        "access denied",
    ];

    /// <summary>The first line that says the domain does not exist, or null.</summary>
    public static string? FindNotFoundLine(string raw)
    {
        foreach (var line in raw.AsSpan().EnumerateLines())
        {
            var text = line.Trim();
            if (IsNotFoundLine(text))
            {
                return text.ToString();
            }
        }

        return null;
    }

    /// <summary>
    /// The domain a not-found sentence names ("No match for domain \"EXAMPLE.XY\".", "The domain name example.xy is
    /// available."): its first word that is a host name, other than a server's own (<see cref="WhoisRecordBuilder.IsNamedDomain"/>).
    /// </summary>
    public static string? DomainNamedIn(string line)
    {
        foreach (var range in line.AsSpan().SplitAny(" \t,;:()[]<>"))
        {
            var token = line.AsSpan(range).Trim("\"'`“”«».!?");
            if (WhoisRecordBuilder.IsNamedDomain(token))
            {
                return token.ToString().ToLowerInvariant();
            }
        }

        return null;
    }

    public static bool IsNotFoundLine(ReadOnlySpan<char> line)
    {
        if (line.Length > MaxNotFoundLineLength)
        {
            return false;
        }

        var text = StripCommentMarks(line);
        foreach (var prefix in WhoisNotFoundPhrases.Prefixes)
        {
            if (text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        if (text.IndexOfAny(_notFoundFragments) >= 0)
        {
            return true;
        }

        // .pt: "example.pt no match"; "example.xx - Available"; "Domain example.xx is available" (a bare "is available" also ends rate-limit
        // notices: "service is available again in 60 s"); .se/.nu: domain "example.se" not found; a line that is
        // nothing but a status word ("Available", "Free").
        var sentence = text.TrimEnd(".!");
        return sentence.EndsWith(" no match", StringComparison.OrdinalIgnoreCase)
            || sentence.EndsWith(" not found", StringComparison.OrdinalIgnoreCase)
            || (sentence.EndsWith(" is available", StringComparison.OrdinalIgnoreCase) && !sentence.Contains("service", StringComparison.OrdinalIgnoreCase))
            || sentence.EndsWith(" is free", StringComparison.OrdinalIgnoreCase)
            || sentence.EndsWith(" - available", StringComparison.OrdinalIgnoreCase)
            || (sentence.StartsWith("domain ", StringComparison.OrdinalIgnoreCase)
                && sentence.EndsWith(" is available", StringComparison.OrdinalIgnoreCase))
            || (text.StartsWith("domain \"", StringComparison.OrdinalIgnoreCase)
                && text.Contains("\" not found", StringComparison.OrdinalIgnoreCase))
            || IsNotFoundStatus(text)
            || EndsInNotFoundStatus(sentence);
    }

    // "Domain tersedia", "Doména je volná", "Домен свободен", "Verkkotunnus on vapaa": a short sentence, no field, whose
    // last word is a status word that means the domain is free.
    private static bool EndsInNotFoundStatus(ReadOnlySpan<char> sentence)
    {
        if (sentence.IndexOfAny(':', '：') >= 0 || sentence.Count(' ') is < 1 or > 5)
        {
            return false;
        }

        var lastSpace = sentence.LastIndexOf(' ');
        var before = sentence[..lastSpace].TrimEnd();
        var negation = before[(before.LastIndexOf(' ') + 1)..];
        // "This domain is not available" says the opposite.
        return IsNotFoundStatus(sentence[(lastSpace + 1)..]) && !IsNegation(negation);
    }

    private static bool IsNegation(ReadOnlySpan<char> word)
    {
        foreach (var negation in (ReadOnlySpan<string>)["not", "no", "non", "nicht", "ne", "nie", "não", "nao", "niet", "ikke", "inte", "ei", "nem", "не"])
        {
            if (word.Equals(negation, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    public static bool IsNotFoundStatus(ReadOnlySpan<char> status)
    {
        var text = status.Trim().TrimEnd('.');
        // "AVAILABLE (no match)": the word before a note.
        var note = text.IndexOf(" (", StringComparison.Ordinal);
        if (note > 0)
        {
            text = text[..note];
        }
        foreach (var value in WhoisNotFoundPhrases.Statuses)
        {
            if (text.Equals(value, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Returns the first short line that says the client is being throttled, or null. Only meaningful for an answer
    /// without registration data: the same words occur in the terms of use of real records.
    /// </summary>
    public static string? FindRateLimitLine(string raw)
    {
        foreach (var rawLine in raw.AsSpan().EnumerateLines())
        {
            var line = rawLine.Trim();
            if (line.IsEmpty || line.Length > MaxMarkerLineLength)
            {
                continue;
            }

            foreach (var fragment in _rateLimitFragments)
            {
                if (line.Contains(fragment, StringComparison.OrdinalIgnoreCase))
                {
                    return StripCommentMarks(line).ToString();
                }
            }
        }

        return null;
    }

    /// <summary>True for binary noise, mis-decoded bytes or an HTML error page instead of a WHOIS answer.</summary>
    public static bool IsUnreadable(string raw)
    {
        var text = raw.AsSpan();
        var start = text.TrimStart();
        if (start.StartsWith("<!doctype", StringComparison.OrdinalIgnoreCase) || start.StartsWith("<html", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (text.IndexOfAnyInRange('A', 'Z') < 0 && text.IndexOfAnyInRange('a', 'z') < 0 && !HasLetter(text))
        {
            return true;
        }

        // The vectorised search makes the common, clean answer cost almost nothing.
        if (text.IndexOfAny(_suspicious) < 0)
        {
            return false;
        }

        var suspicious = 0;
        foreach (var c in text)
        {
            if (c == '\0')
            {
                return true;
            }

            if (_suspicious.Contains(c))
            {
                suspicious++;
            }
        }

        // A few stray control bytes happen in real answers; a stream of them is not text.
        return suspicious > 4 && suspicious * 20 > raw.Length;
    }

    private static bool HasLetter(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (char.IsLetter(c))
            {
                return true;
            }
        }

        return false;
    }

    private static ReadOnlySpan<char> StripCommentMarks(ReadOnlySpan<char> line) =>
        line.TrimStart("%#>*- \t").Trim();
}
