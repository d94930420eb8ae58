namespace HeavyJobs.Whois.Parsing;

/// <summary>
/// Reads one line of an answer for <see cref="WhoisAnswerScanner"/>: is it noise, a sentence with a date or a domain,
/// a <c>Key: value</c> pair, or a row of a table whose key and value are separated by spaces only.
/// </summary>
internal static class WhoisAnswerLines
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

    // A key of the map, then two or more spaces, then the value. Only known keys count: long bare lines are prose.
    // The key may have a wide gap of its own ("Domain  name    example.md", "Expires    on   2026-01-17"): the
    // longest known key before a gap wins.
    public static bool TrySplitTableRow(ReadOnlySpan<char> text, Span<char> keyBuffer, out WhoisKey key, out ReadOnlySpan<char> value)
    {
        key = WhoisKey.None;
        value = default;
        if (!char.IsLetter(text[0]))
        {
            return false;
        }

        var gap = text.IndexOf("  ", StringComparison.Ordinal);
        while (gap > 0 && gap <= MaxTitleLength)
        {
            // Prose wraps with two spaces after a full stop ("... the registrar.  Users may ..."): keys end in a letter.
            if (!char.IsLetter(text[gap - 1]))
            {
                break;
            }

            var length = WhoisKeyMap.Normalize(text[..gap], keyBuffer);
            var candidate = length > 0 ? WhoisKeyMap.Lookup(keyBuffer[..length]) : WhoisKey.None;
            var rest = text[gap..].Trim();
            if (candidate != WhoisKey.None && !rest.IsEmpty)
            {
                key = candidate;
                value = rest;
            }

            var next = rest.IsEmpty ? -1 : rest.IndexOf("  ", StringComparison.Ordinal);
            gap = next < 0 ? -1 : text.Length - rest.Length + next;
        }

        return key != WhoisKey.None;
    }

    // Separators other than a colon: "Key = value", "Key => value", "Key - value" and a table's "| Key | value |".
    // As with padded rows, only a known key makes the line a field.
    private static readonly string[] _separators = [" => ", " = ", " - ", " | "];

    public static bool TrySplitSeparatedRow(ReadOnlySpan<char> text, Span<char> keyBuffer, out WhoisKey key, out ReadOnlySpan<char> value)
    {
        key = WhoisKey.None;
        value = default;
        if (text.Length > 2 && text[0] == '|' && text[^1] == '|')
        {
            text = text[1..^1].Trim();
            var bar = text.IndexOf('|');
            if (bar <= 0 || text[(bar + 1)..].IndexOf('|') >= 0)
            {
                return false;
            }

            return Known(text[..bar], text[(bar + 1)..], keyBuffer, out key, out value);
        }

        foreach (var separator in _separators)
        {
            var at = text.IndexOf(separator, StringComparison.Ordinal);
            if (at > 0 && at <= MaxTitleLength)
            {
                return Known(text[..at], text[(at + separator.Length)..], keyBuffer, out key, out value);
            }
        }

        // Dot leaders without a colon: "Domain Name.......... example.com", "Creation Date........ 1999-01-17".
        var leader = text.IndexOf("..", StringComparison.Ordinal);
        if (leader > 0 && leader <= MaxTitleLength && char.IsLetter(text[leader - 1]))
        {
            var rest = text[leader..].TrimStart('.');
            if (rest.Length > 0 && char.IsWhiteSpace(rest[0]))
            {
                return Known(text[..leader], rest, keyBuffer, out key, out value);
            }
        }

        return false;
    }

    private static bool Known(ReadOnlySpan<char> rawKey, ReadOnlySpan<char> rawValue, Span<char> keyBuffer, out WhoisKey key, out ReadOnlySpan<char> value)
    {
        var length = WhoisKeyMap.Normalize(rawKey.Trim(), keyBuffer);
        key = length > 0 ? WhoisKeyMap.Lookup(keyBuffer[..length]) : WhoisKey.None;
        value = rawValue.Trim();
        return key != WhoisKey.None && !value.IsEmpty;
    }

    public static bool TryPhrase(ReadOnlySpan<char> text, out WhoisKey key, out ReadOnlySpan<char> value)
    {
        foreach (var (phrase, phraseKey) in _phrases)
        {
            if (text.Length > phrase.Length && text.StartsWith(phrase, StringComparison.OrdinalIgnoreCase)
                && text[phrase.Length] is ' ' or ':' or '\t')
            {
                key = phraseKey;
                value = text[phrase.Length..].TrimStart(" :\t");
                return true;
            }
        }

        key = WhoisKey.None;
        value = default;
        return false;
    }

    /// <summary>
    /// Splits "Key: value", "Key\tvalue" (.ch) and "[Key] value" / "a. [Key] value" (.jp). Lines whose would-be key
    /// starts with a digit or contains a word starting with one are values ("2019-01-01 10:00", "Last updated on 2019-...").
    /// </summary>
    public static bool TrySplitKeyValue(ReadOnlySpan<char> text, out ReadOnlySpan<char> key, out ReadOnlySpan<char> value, out bool bracketed)
    {
        key = value = default;
        bracketed = false;
        // Numbered fields: "1. Domain Name: example.xy", "12) Registrar: ...".
        if (char.IsAsciiDigit(text[0]))
        {
            text = ListItem(text);
        }

        // MYNIC writes "a [Domain Name]" without JPRS's dot after the letter.
        var bracketStart = text[0] == '[' ? 0
            : text.Length > 3 && char.IsAsciiLetter(text[0]) && text[1] == '.' && text[2] == ' ' && text[3] == '[' ? 3
            : text.Length > 2 && char.IsAsciiLetter(text[0]) && text[1] == ' ' && text[2] == '[' ? 2
            : -1;
        if (bracketStart >= 0)
        {
            var close = text.IndexOf(']');
            if (close <= bracketStart + 1)
            {
                return false;
            }

            key = text[(bracketStart + 1)..close];
            value = text[(close + 1)..].Trim();
            bracketed = true;
            return true;
        }

        // Chinese, Japanese and Korean answers often use the full-width colon.
        var colon = text.IndexOfAny(':', '：');
        var tab = text.IndexOf('\t');
        var leader = DotLeader(text);
        int split;
        if (leader > 0 && (colon < 0 || leader < colon) && (tab < 0 || leader < tab))
        {
            // Dot leaders are a separator of their own, whatever the key: "Domain Name ........ example.xy",
            // "Primary ............ ns1.example.xy", and .fi's "domain.............: example.fi" with a colon after them.
            split = leader;
            value = text[leader..].TrimStart('.').Trim().TrimStart(":：").TrimStart();
        }
        else if (colon > 0 && (tab < 0 || colon < tab))
        {
            split = colon;
            value = text[(colon + 1)..].Trim();
            if (value.StartsWith("//", StringComparison.Ordinal))
            {
                // "https://..." is a value, not a key called "https".
                return false;
            }

            // .tg pads after the colon instead of before it: "Domain:...............example.tg". One dot can start a
            // value (".tn"), a run of them cannot.
            if (value.StartsWith("..", StringComparison.Ordinal))
            {
                value = value.TrimStart('.').TrimStart();
            }
        }
        else if (tab > 0)
        {
            split = tab;
            // .tr aligns the colon with tabs: "Organization Name\t: Example".
            value = text[(tab + 1)..].Trim().TrimStart(":：").TrimStart();
        }
        else
        {
            return false;
        }

        key = text[..split].TrimEnd();
        return IsKeyLike(key);
    }

    // Where a run of three or more dots starts after a word ("Domain Name........", "Domain Name ........"), when a value
    // or a colon follows it; an ellipsis ending a sentence ("Please wait...") leads to nothing.
    private static int DotLeader(ReadOnlySpan<char> text)
    {
        var run = text.IndexOf("...", StringComparison.Ordinal);
        if (run <= 0 || run > MaxTitleLength)
        {
            return -1;
        }

        var before = text[run - 1] == ' ' && run > 1 ? text[run - 2] : text[run - 1];
        var after = text[run..].TrimStart('.');
        return char.IsLetter(before) && !after.IsEmpty && (char.IsWhiteSpace(after[0]) || after[0] is ':' or '：') && !after.Trim().IsEmpty
            ? run
            : -1;
    }

    private static bool IsKeyLike(ReadOnlySpan<char> key)
    {
        if (key.IsEmpty || key.Length > WhoisKeyMap.MaxKeyLength || !char.IsLetter(key[0]))
        {
            return false;
        }

        // A number as the last word is a numbered key ("Name server 1"); elsewhere it makes the line a value.
        var padded = key.TrimEnd(". ");
        var numbered = padded.TrimEnd("0123456789");
        var end = numbered.Length < padded.Length && padded.Length - numbered.Length <= 2 && numbered.EndsWith(' ') ? numbered.Length : key.Length;
        for (var i = 1; i < end; i++)
        {
            if (char.IsAsciiDigit(key[i]) && char.IsWhiteSpace(key[i - 1]))
            {
                return false;
            }
        }

        return true;
    }
}
