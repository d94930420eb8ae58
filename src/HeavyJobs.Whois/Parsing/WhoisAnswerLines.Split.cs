namespace HeavyJobs.Whois.Parsing;

/// <summary>Splitting a line into its key and value: "Key: value", dot leaders, table rows, separators, phrases.</summary>
internal static partial class WhoisAnswerLines
{
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
