namespace HeavyJobs.Whois.Parsing;

/// <summary>
/// Reads one line of an answer for <see cref="WhoisAnswerScanner"/>: is it noise, a sentence with a date or a domain,
/// a <c>Key: value</c> pair, or a row of a table whose key and value are separated by spaces only.
/// </summary>
internal static partial class WhoisAnswerLines
{
    public const int MaxTitleLength = 48;

    // List marks before items: "- ns1.example.ve", "• ns1...".
    public const string Bullets = "-•· ";

    /// <summary>A list item without its marker: "- ns1.example.net", "• ns1...", "1. ns1...", "2) ns2...".</summary>
    public static ReadOnlySpan<char> ListItem(ReadOnlySpan<char> text)
    {
        var digits = text.IndexOfAnyExceptInRange('0', '9');
        if (digits is 1 or 2 && text.Length > digits + 2 && text[digits] is '.' or ')' && text[digits + 1] == ' ')
        {
            return text[(digits + 2)..].TrimStart();
        }

        return text.TrimStart(Bullets);
    }

    // Sentences that carry a date without a colon after the key (.mo, .tw, .gg, the older .ee); the colon inside the time
    // would otherwise make them look like "key: value".
    private static readonly (string Phrase, WhoisKey Key)[] _phrases =
    [
        ("record created on", WhoisKey.Created),
        ("record expires on", WhoisKey.Expires),
        ("record last updated on", WhoisKey.Updated),
        ("record changed on", WhoisKey.Updated),
        ("record modified on", WhoisKey.Updated),
        ("registered on", WhoisKey.Created),
    ];

    /// <summary>The titles of a table's columns: a few words, no host name, no field ("Hostname    IP Address").</summary>
    public static bool IsColumnHeader(ReadOnlySpan<char> text) =>
        text.Length <= MaxTitleLength && text.IndexOfAny(".:：") < 0 && text.Contains("  ", StringComparison.Ordinal)
        && text.IndexOfAnyInRange('0', '9') < 0;

    /// <summary>.tr marks its keys with stars ("** Domain Name: example.com.tr"): those lines are data, not banners.</summary>
    public static ReadOnlySpan<char> StripKeyStars(ReadOnlySpan<char> text) =>
        text.StartsWith("** ", StringComparison.Ordinal) && text.IndexOf(':') > 0 ? text.TrimStart("* ") : text;

    // Comments, banners and rulers: "% ...", "# ...", ">>> ... <<<", "[ JPRS ... ]", "*****", "-----".
    public static bool IsNoise(ReadOnlySpan<char> text)
    {
        var first = text[0];
        if (first is '%' or '#' or '*')
        {
            return true;
        }

        if (first == '>' && text.StartsWith(">>>", StringComparison.Ordinal))
        {
            return true;
        }

        if (first == '[' && text.Length > 1 && text[1] == ' ')
        {
            return true;
        }

        return text.IndexOfAnyExcept("-=_ ") < 0;
    }

    // "Domain EXAMPLE.KG (ACTIVE)" (.kg): the word, the name and at most the domain's state in parentheses.
    public static bool TryDomainSentence(ReadOnlySpan<char> text, out ReadOnlySpan<char> domain, out ReadOnlySpan<char> state)
    {
        domain = default;
        state = default;
        if (text.Length < 10 || !text.StartsWith("domain ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var rest = text[7..].Trim();
        var end = rest.IndexOfAny(" \t");
        var name = end < 0 ? rest : rest[..end];
        var after = end < 0 ? default : rest[end..].Trim();
        if (name.IndexOf(':') >= 0 || !WhoisRecordBuilder.StartsWithHostName(name)
            || (!after.IsEmpty && (after.Length < 3 || after[0] != '(' || after[^1] != ')' || after[1..^1].IndexOfAny("()") >= 0)))
        {
            return false;
        }

        domain = name;
        state = after.IsEmpty ? default : after[1..^1].Trim();
        return true;
    }

    // "Information about domain example.xy", "Domain Information for example.xy:", "Whois record of domain
    // \"example.xy\"": a title that says "domain" and ends in a host name. "Please query whois.example.net for
    // the domain" ends in a word, and a server's own name ("whois.", "rdap.") is never the domain.
    public static bool TryHeaderDomain(ReadOnlySpan<char> text, out ReadOnlySpan<char> domain)
    {
        domain = default;
        var sentence = text.TrimEnd(".:!").Trim();
        var space = sentence.LastIndexOfAny(' ', '\t');
        if (space <= 0 || sentence.Length > MaxTitleLength * 2
            || sentence[..space].IndexOf("domain", StringComparison.OrdinalIgnoreCase) < 0)
        {
            return false;
        }

        var name = sentence[(space + 1)..].Trim("\"'");
        if (!WhoisRecordBuilder.IsNamedDomain(name))
        {
            return false;
        }

        domain = name;
        return true;
    }

    /// <summary>The banner of Tonic's server (.to), whose answer is one "label host" line per name server.</summary>
    public static bool IsTonicBanner(ReadOnlySpan<char> text) => text.StartsWith("Tonic whoisd", StringComparison.OrdinalIgnoreCase);

    // "example ns1.example.net": the queried label without its zone, then one of its name servers.
    public static bool TryLabelAndHost(ReadOnlySpan<char> text, out ReadOnlySpan<char> label, out ReadOnlySpan<char> host)
    {
        label = host = default;
        var space = text.IndexOfAny(' ', '\t');
        if (space <= 0)
        {
            return false;
        }

        var first = text[..space];
        var second = text[space..].Trim();
        if (first.IndexOfAnyExcept(_labelCharacters) >= 0 || second.IndexOfAny(" \t") >= 0 || second.IndexOf('.') <= 0
            || !WhoisRecordBuilder.StartsWithHostName(second))
        {
            return false;
        }

        label = first;
        host = second;
        return true;
    }

    private static readonly System.Buffers.SearchValues<char> _labelCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");

    // Registries that only say whether a domain is taken: "example.xy is registered.", "The domain example.xy has
    // already been registered". The whole rest of the line must be one of these, so "is not registered" never is.
    private static readonly string[] _registeredTails =
    [
        "is registered", "is already registered", "has been registered", "has already been registered", "is taken",
        "is already taken", "is in use",
    ];

    public static bool TryRegisteredSentence(ReadOnlySpan<char> text, out ReadOnlySpan<char> domain)
    {
        domain = default;
        // Asked of every line before the key-value split: a colon makes it a field (or a stamp), never this sentence.
        if (text.IndexOf(':') >= 0)
        {
            return false;
        }

        var sentence = text.TrimEnd(".!").Trim();
        foreach (var lead in (ReadOnlySpan<string>)["the domain name ", "the domain ", "domain name ", "domain "])
        {
            if (sentence.StartsWith(lead, StringComparison.OrdinalIgnoreCase))
            {
                sentence = sentence[lead.Length..].TrimStart();
                break;
            }
        }

        var space = sentence.IndexOf(' ');
        if (space <= 0)
        {
            return false;
        }

        var name = sentence[..space].Trim("\"'");
        var tail = sentence[space..].Trim();
        foreach (var registered in _registeredTails)
        {
            if (tail.Equals(registered, StringComparison.OrdinalIgnoreCase) && name.IndexOf('.') > 0
                && WhoisRecordBuilder.StartsWithHostName(name))
            {
                domain = name;
                return true;
            }
        }

        return false;
    }
}
