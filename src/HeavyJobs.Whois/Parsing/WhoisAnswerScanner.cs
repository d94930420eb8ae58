namespace HeavyJobs.Whois.Parsing;

/// <summary>
/// One pass over the lines of an answer. It understands four layouts that registries mix freely:
/// <c>Key: value</c> (also tab- and dot-padded), JPRS <c>[Key] value</c>, headers followed by indented or bare
/// items (<c>Registrar:\n    Name</c>, <c>Nameservers\n  ns1...</c>), and a few sentences
/// (<c>Record created on 2005-04-15</c>).
/// </summary>
internal static class WhoisAnswerScanner
{
    private const int MaxTitleLength = 48;

    // Sentences that carry a date without a colon after the key (.mo, .tw, .gg); the colon inside the time
    // would otherwise make them look like "key: value".
    private static readonly (string Phrase, WhoisKey Key)[] _phrases =
    [
        ("record created on", WhoisKey.Created),
        ("record expires on", WhoisKey.Expires),
        ("record last updated on", WhoisKey.Updated),
        ("registered on", WhoisKey.Created),
    ];

    public static void Scan(string raw, WhoisRecordBuilder builder)
    {
        Span<char> keyBuffer = stackalloc char[WhoisKeyMap.MaxKeyLength];
        var section = WhoisSection.None;
        var block = WhoisSection.None;
        var blockOpen = false;
        var blockItems = 0;
        var lastKey = WhoisKey.None;
        var paragraphStart = true;
        var sectionFromHeader = false;

        foreach (var rawLine in raw.AsSpan().EnumerateLines())
        {
            var text = rawLine.Trim();
            if (text.IsEmpty)
            {
                paragraphStart = true;
                // Lists end at a blank line, but a header may be followed by one before its items (.hk, .tw).
                if (blockItems > 0)
                {
                    blockOpen = false;
                }

                lastKey = WhoisKey.None;
                continue;
            }

            if (IsNoise(text))
            {
                continue;
            }

            var startsParagraph = paragraphStart;
            paragraphStart = false;
            if (startsParagraph && !sectionFromHeader && section is WhoisSection.Registrant or WhoisSection.OtherContact)
            {
                // A RIPE-style object ends at a blank line; .at names its handle ("nic-hdl") at the end of the object.
                section = WhoisSection.None;
            }

            if (TryPhrase(text, out var phraseKey, out var phraseValue))
            {
                builder.SetDate(phraseKey, phraseValue, 2);
                continue;
            }

            if (blockOpen && block == WhoisSection.NameServers && WhoisRecordBuilder.StartsWithHostName(text))
            {
                builder.AddNameServers(text);
                blockItems++;
                continue;
            }

            if (TrySplitKeyValue(text, out var rawKey, out var value, out var bracketed))
            {
                var length = WhoisKeyMap.Normalize(rawKey, keyBuffer);
                if (length > 0)
                {
                    var normalized = keyBuffer[..length];
                    builder.KeyValueLines++;
                    if (value.IsEmpty)
                    {
                        sectionFromHeader = true;
                        OpenBlock(WhoisKeyMap.HeaderSection(normalized), ref section, ref block, ref blockOpen, ref blockItems);
                        lastKey = WhoisKey.None;
                        continue;
                    }

                    blockOpen = false;
                    var key = WhoisKeyMap.Lookup(normalized);
                    var before = section;
                    Apply(builder, key, value, ref section);

                    // Only a handle opens a block ("Registrar: ACTI-0024" then "Name: ..."); a name is just a field
                    // ("Registrar: MarkMonitor Inc."), and JPRS's bracketed handles never start blocks. In RIPE-style
                    // answers (AFNIC) a paragraph starting with "registrar:" is the registrar's own object.
                    if (!bracketed && (value.IndexOfAny(' ', '\t') < 0 || startsParagraph))
                    {
                        var opens = WhoisKeyMap.OpeningSection(normalized);
                        if (opens != WhoisSection.None)
                        {
                            section = opens;
                        }
                    }

                    if (section != before)
                    {
                        sectionFromHeader = false;
                    }

                    lastKey = key;
                    continue;
                }
            }

            if (blockOpen)
            {
                ApplyBlockItem(builder, block, text, blockItems);
                blockItems++;
                continue;
            }

            var indented = char.IsWhiteSpace(rawLine[0]);
            if (indented && lastKey is WhoisKey.NameServer or WhoisKey.DomainStatus)
            {
                // A value continued on the next lines (.pl "nameservers:" lists one host per line).
                Apply(builder, lastKey, text, ref section);
                continue;
            }

            // A bare line outside a list is a title such as "Registrar", "Nameservers" or "Holder".
            // Titles are short; long bare lines are the terms of use and need no closer look.
            var titleLength = text.Length <= MaxTitleLength ? WhoisKeyMap.Normalize(text, keyBuffer) : -1;
            sectionFromHeader = true;
            section = block = titleLength > 0 ? WhoisKeyMap.HeaderSection(keyBuffer[..titleLength]) : WhoisSection.Other;
            blockOpen = true;
            blockItems = 0;
            lastKey = WhoisKey.None;
        }
    }

    // An empty key that is no known header ("address:", "holder email:") swallows its items but does not end the
    // section around it: AFNIC leaves "address:" empty inside its registrar object. Bare titles always start a section.
    private static void OpenBlock(WhoisSection header, ref WhoisSection section, ref WhoisSection block, ref bool blockOpen, ref int blockItems)
    {
        if (header != WhoisSection.Other)
        {
            section = header;
        }

        block = header;
        blockOpen = true;
        blockItems = 0;
    }

    private static void Apply(WhoisRecordBuilder builder, WhoisKey key, ReadOnlySpan<char> value, ref WhoisSection section)
    {
        var inParty = section is WhoisSection.Registrar or WhoisSection.Registrant or WhoisSection.OtherContact;
        switch (key)
        {
            case WhoisKey.Domain:
                builder.SetDomain(value, inParty ? 1 : 2);
                break;
            case WhoisKey.Registrar:
                builder.SetRegistrar(value, 2);
                break;
            case WhoisKey.Created or WhoisKey.Updated or WhoisKey.Expires:
                builder.SetDate(key, value, inParty ? 1 : 2);
                break;
            case WhoisKey.NameServer:
                builder.AddNameServers(value);
                break;
            case WhoisKey.WeakNameServer:
                builder.AddNameServers(value, weak: true);
                break;
            case WhoisKey.HostName when section == WhoisSection.NameServers:
                builder.AddNameServers(value);
                break;
            case WhoisKey.DomainStatus:
            case WhoisKey.Status when !inParty:
                builder.AddStatuses(value);
                break;
            case WhoisKey.RegistrantOrganization:
                builder.SetRegistrantOrganization(value, 3);
                break;
            case WhoisKey.Registrant:
                if (WhoisRecordBuilder.IsHandle(value))
                {
                    builder.SetRegistrantHandle(value);
                }
                else
                {
                    builder.SetRegistrantOrganization(value, 3);
                }

                break;
            case WhoisKey.RegistrantHandle:
                builder.SetRegistrantHandle(value);
                break;
            case WhoisKey.ContactHandle:
                section = builder.IsRegistrantHandle(value) ? WhoisSection.Registrant : WhoisSection.OtherContact;
                break;
            case WhoisKey.RegistrantCountry:
                builder.SetRegistrantCountry(value, 3);
                break;
            case WhoisKey.Name:
                ApplyName(builder, value, section);
                break;
            case WhoisKey.Organization:
                if (section == WhoisSection.Registrar)
                {
                    builder.SetRegistrar(value, 1);
                }
                else if (section is WhoisSection.Registrant or WhoisSection.None or WhoisSection.Domain)
                {
                    builder.SetRegistrantOrganization(value, section == WhoisSection.Registrant ? 2 : 1);
                }

                break;
            case WhoisKey.Country:
                if (section is WhoisSection.Registrant or WhoisSection.None or WhoisSection.Domain)
                {
                    builder.SetRegistrantCountry(value, section == WhoisSection.Registrant ? 2 : 1);
                }

                break;
        }
    }

    private static void ApplyName(WhoisRecordBuilder builder, ReadOnlySpan<char> value, WhoisSection section)
    {
        switch (section)
        {
            case WhoisSection.Registrar:
                // "Name" beats the handle or company that opened the block ("Registrar: ACTI-0024", "Organization: ...").
                builder.SetRegistrar(value, 3);
                break;
            case WhoisSection.Domain:
                builder.SetDomain(value, 2);
                break;
            case WhoisSection.Registrant:
                builder.SetRegistrantOrganization(value, 1);
                break;
        }
    }

    private static void ApplyBlockItem(WhoisRecordBuilder builder, WhoisSection block, ReadOnlySpan<char> item, int index)
    {
        switch (block)
        {
            case WhoisSection.Domain when index == 0:
                builder.SetDomain(item, 2);
                break;
            case WhoisSection.Registrar when index == 0:
                builder.SetRegistrar(item, 2);
                break;
            case WhoisSection.Registrant when index == 0:
                builder.SetRegistrantOrganization(item, 1);
                break;
            case WhoisSection.Status:
                builder.AddStatuses(item);
                break;
        }
    }

    // Comments, banners and rulers: "% ...", "# ...", ">>> ... <<<", "[ JPRS ... ]", "*****", "-----".
    private static bool IsNoise(ReadOnlySpan<char> text)
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

    private static bool TryPhrase(ReadOnlySpan<char> text, out WhoisKey key, out ReadOnlySpan<char> value)
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
    private static bool TrySplitKeyValue(ReadOnlySpan<char> text, out ReadOnlySpan<char> key, out ReadOnlySpan<char> value, out bool bracketed)
    {
        key = value = default;
        bracketed = false;
        var bracketStart = text[0] == '[' ? 0
            : text.Length > 3 && char.IsAsciiLetter(text[0]) && text[1] == '.' && text[2] == ' ' && text[3] == '[' ? 3
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

        var colon = text.IndexOf(':');
        var tab = text.IndexOf('\t');
        int split;
        if (colon > 0 && (tab < 0 || colon < tab))
        {
            split = colon;
            value = text[(colon + 1)..].Trim();
            if (value.StartsWith("//", StringComparison.Ordinal))
            {
                // "https://..." is a value, not a key called "https".
                return false;
            }
        }
        else if (tab > 0)
        {
            split = tab;
            value = text[(tab + 1)..].Trim();
        }
        else
        {
            return false;
        }

        key = text[..split].TrimEnd();
        return IsKeyLike(key);
    }

    private static bool IsKeyLike(ReadOnlySpan<char> key)
    {
        if (key.IsEmpty || key.Length > WhoisKeyMap.MaxKeyLength || !char.IsLetter(key[0]))
        {
            return false;
        }

        for (var i = 1; i < key.Length; i++)
        {
            if (char.IsAsciiDigit(key[i]) && char.IsWhiteSpace(key[i - 1]))
            {
                return false;
            }
        }

        return true;
    }
}
