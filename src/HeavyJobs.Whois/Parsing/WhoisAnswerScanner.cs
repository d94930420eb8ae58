namespace HeavyJobs.Whois.Parsing;

/// <summary>
/// One pass over the lines of an answer. It understands the layouts that registries mix freely:
/// <c>Key: value</c> (also tab- and dot-padded, full-width colons), JPRS and MYNIC <c>[Key] value</c>, headers
/// followed by indented or bare items (<c>Registrar:\n    Name</c>, <c>Renewal date:\n\tFriday 21st Jun 2030</c>,
/// <c>Nameservers\n  - ns1...</c>), tables aligned with spaces (<c>Domain-name     example.sk</c>), and a few
/// sentences (<c>Record created on 2005-04-15</c>, <c>Domain EXAMPLE.KG</c>).
/// </summary>
internal static class WhoisAnswerScanner
{
    public static void Scan(string raw, WhoisRecordBuilder builder)
    {
        Span<char> keyBuffer = stackalloc char[WhoisKeyMap.MaxKeyLength];
        var section = WhoisSection.None;
        var block = WhoisSection.None;
        var blockKey = WhoisKey.None;
        var blockOpen = false;
        var blockItems = 0;
        var blockIndented = false;
        var lastKey = WhoisKey.None;
        var paragraphStart = true;
        var sectionFromHeader = false;
        var tonic = false;
        WhoisAnswerTable? table = null;

        foreach (var rawLine in raw.AsSpan().EnumerateLines())
        {
            var text = WhoisAnswerLines.StripKeyStars(rawLine.Trim());
            if (text.IsEmpty)
            {
                paragraphStart = true;
                // Lists end at a blank line, but a header may be followed by one before its items (.hk, .tw).
                if (blockItems > 0)
                {
                    blockOpen = false;
                }

                lastKey = WhoisKey.None;
                table = null;
                continue;
            }

            if (WhoisAnswerLines.IsNoise(text))
            {
                continue;
            }

            if (table is not null)
            {
                if (table.TryRow(rawLine.TrimEnd(), builder))
                {
                    builder.KeyValueLines++;
                    continue;
                }

                table = null;
            }

            if (tonic && WhoisAnswerLines.TryLabelAndHost(text, out var label, out var host))
            {
                builder.SetDomain(string.Concat(label, ".to"), 1);
                builder.AddNameServers(host);
                continue;
            }

            if (WhoisAnswerLines.IsTonicBanner(text))
            {
                tonic = true;
                continue;
            }

            var startsParagraph = paragraphStart;
            paragraphStart = false;
            if (startsParagraph && !sectionFromHeader && section is WhoisSection.Registrar or WhoisSection.Registrant or WhoisSection.OtherContact)
            {
                // A RIPE-style object ends at a blank line; .at names its handle ("nic-hdl") at the end of the object, and
                // a registrar handle in the domain's object (.cz, .ar) says nothing about the contact objects below it.
                section = WhoisSection.None;
            }

            if (WhoisAnswerLines.TryPhrase(text, out var phraseKey, out var phraseValue))
            {
                builder.SetDate(phraseKey, phraseValue, 2);
                continue;
            }

            if (blockOpen && block == WhoisSection.NameServers && WhoisRecordBuilder.StartsWithHostName(WhoisAnswerLines.ListItem(text)))
            {
                builder.AddNameServers(WhoisAnswerLines.ListItem(text));
                blockItems++;
                continue;
            }

            if (blockOpen && block == WhoisSection.NameServers && blockItems == 0 && WhoisAnswerLines.IsColumnHeader(text))
            {
                // "Hostname          IP Address" over the list: the names of its columns, not an item and not the next title.
                continue;
            }

            if (WhoisAnswerLines.TryDomainSentence(text, out var sentenceDomain, out var sentenceState))
            {
                builder.SetDomain(sentenceDomain, 1);
                if (!sentenceState.IsEmpty)
                {
                    builder.AddStatuses(sentenceState);
                }

                continue;
            }

            if (WhoisAnswerLines.TryRegisteredSentence(text, out var takenDomain))
            {
                builder.SetDomain(takenDomain, 1);
                builder.AddStatuses("registered");
                continue;
            }

            if (!blockOpen && WhoisAnswerTable.TryHeader(rawLine.TrimEnd(), keyBuffer) is { } header)
            {
                table = header;
                continue;
            }

            if (WhoisAnswerLines.TrySplitKeyValue(text, out var rawKey, out var value, out var bracketed))
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
                        blockKey = WhoisKeyMap.Lookup(normalized);
                        lastKey = WhoisKey.None;
                        continue;
                    }

                    blockOpen = false;
                    var key = WhoisKeyMap.Lookup(normalized);
                    var before = section;
                    if (key == WhoisKey.None && section == WhoisSection.NameServers && WhoisRecordBuilder.StartsWithHostName(value))
                    {
                        // Under a name-server title any key that gives a host names a server: "Primary: ns1.example.xy",
                        // "Server 2 ........ ns2.example.net".
                        builder.AddNameServers(value);
                    }
                    else if (key == WhoisKey.None)
                    {
                        ApplyGuess(builder, WhoisKeyGuess.Guess(normalized), value, section);
                    }
                    else if (key == WhoisKey.Registrar && section == WhoisSection.OtherContact && !sectionFromHeader)
                    {
                        // Another object's registrar (a contact's, an nsset's, or that of Verisign's "Server Name:"
                        // records matching the query ahead of the domain's own) is not the domain's. Under a title
                        // ("Contact:") the section is the title's, and a registrar line after it is the domain's (.tw).
                    }
                    else
                    {
                        Apply(builder, key, value, ref section);
                    }

                    // Only a handle opens a block ("Registrar: ACTI-0024" then "Name: ..."); a name is just a field
                    // ("Registrar: MarkMonitor Inc."), and JPRS's bracketed handles never start blocks. In RIPE-style
                    // answers (AFNIC) a paragraph starting with "registrar:" is the registrar's own object.
                    if (!bracketed && (value.IndexOfAny(' ', '\t') < 0 || startsParagraph))
                    {
                        var opens = WhoisKeyMap.OpeningSection(normalized);
                        if (opens == WhoisSection.None && startsParagraph && WhoisKeyMap.IsObjectKey(normalized))
                        {
                            // RIPE-style objects after the domain's own ("contact:", "nsset:", "person:"): their
                            // "created:" and "changed:" stamps are the object's.
                            opens = WhoisSection.OtherContact;
                        }

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

            if (WhoisAnswerLines.TrySplitTableRow(text, keyBuffer, out var tableKey, out var tableValue)
                || WhoisAnswerLines.TrySplitSeparatedRow(text, keyBuffer, out tableKey, out tableValue))
            {
                // "Domain Name        example.xx", "Domain = example.xx": a known key without a colon after it.
                builder.KeyValueLines++;
                blockOpen = false;
                Apply(builder, tableKey, tableValue, ref section);
                lastKey = tableKey;
                continue;
            }

            var indented = char.IsWhiteSpace(rawLine[0]);
            if (blockOpen && blockItems > 0 && blockIndented && !indented)
            {
                // Items were indented under their title and this line is not: it is the next title ("Domain Name\n
                // <tab>example.xx\nRegistrar\n<tab>Example Registrar"), even without a blank line between them.
                blockOpen = false;
            }

            if (blockOpen)
            {
                if (blockItems == 0)
                {
                    blockIndented = indented;
                }

                if (blockItems == 0 && block == WhoisSection.Other && blockKey is WhoisKey.Created or WhoisKey.Updated or WhoisKey.Expires)
                {
                    // JANET and others put the value under its key: "Renewal date:\n\tFriday 21st Jun 2025".
                    Apply(builder, blockKey, text, ref section);
                }

                ApplyBlockItem(builder, block, text, blockItems);
                blockItems++;
                continue;
            }

            if (indented && lastKey is WhoisKey.NameServer or WhoisKey.DomainStatus)
            {
                // A value continued on the next lines (.pl "nameservers:" lists one host per line).
                Apply(builder, lastKey, text, ref section);
                continue;
            }

            // A bare line outside a list is a title such as "Registrar", "Nameservers" or "Holder".
            // Titles are short; long bare lines are the terms of use and need no closer look.
            var titleLength = text.Length <= WhoisAnswerLines.MaxTitleLength ? WhoisKeyMap.Normalize(text, keyBuffer) : -1;
            var title = titleLength > 0 ? WhoisKeyMap.HeaderSection(keyBuffer[..titleLength]) : WhoisSection.Other;
            if (title == WhoisSection.Other && !blockOpen && text.Count(' ') >= 3)
            {
                // A sentence such as "Welcome to .my DOMAIN NAME REGISTRY" is a banner, not the title of what follows;
                // one that ends in a host name may name the domain ("Information about domain example.xy").
                if (WhoisAnswerLines.TryHeaderDomain(text, out var headerDomain))
                {
                    builder.SetHeaderDomain(headerDomain);
                }

                continue;
            }

            sectionFromHeader = true;
            section = block = title;
            blockKey = titleLength > 0 ? WhoisKeyMap.Lookup(keyBuffer[..titleLength]) : WhoisKey.None;
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
        if (section == WhoisSection.Meta)
        {
            // "[Whois] Updated: ..." (.lv) and the like are the server's own stamps.
            return;
        }

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

    // A key only the heuristic layer could read: lowest priority, and never inside a contact or registrar block,
    // whose dates and servers are the party's own.
    private static void ApplyGuess(WhoisRecordBuilder builder, WhoisKey key, ReadOnlySpan<char> value, WhoisSection section)
    {
        if (key == WhoisKey.None || section is WhoisSection.Registrar or WhoisSection.Registrant or WhoisSection.OtherContact or WhoisSection.Meta)
        {
            return;
        }

        builder.SetField(key, value, 1, guessed: true);
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
            case WhoisSection.NameServers:
                // .tn lists its servers as "Name........: ns1.example.tn." under "dns servers".
                builder.AddNameServers(value);
                break;
        }
    }

    private static void ApplyBlockItem(WhoisRecordBuilder builder, WhoisSection block, ReadOnlySpan<char> item, int index)
    {
        switch (block)
        {
            case WhoisSection.Domain when index == 0 && WhoisRecordBuilder.StartsWithHostName(item):
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
}
