namespace HeavyJobs.Whois.Parsing;

/// <summary>Dates that start with a word: a weekday or a month's name ("Mon Jan 01 2000", "January 5, 2001").</summary>
internal static partial class WhoisDateParser
{
    // "Mon Jan 01 2000", "January 1, 2000", "Fri, 6 Dec 2024", ctime's "Tue Sep 15 04:00:00 GMT 1997".
    private static bool TryReadWordDate(ReadOnlySpan<char> s, ref int i, out int year, out int month, out int day, ref TimeParts time)
    {
        year = month = day = 0;
        var word = ReadWord(s, ref i);
        if (WhoisDateWords.IsWeekday(word))
        {
            while (i < s.Length && (s[i] is ' ' or ','))
            {
                i++;
            }

            if (IsDigit(s, i))
            {
                var digits = CountDigits(s, i);
                if (digits > 2)
                {
                    return false;
                }

                var first = Number(s.Slice(i, digits));
                i += digits;
                SkipOrdinalSuffix(s, ref i);
                return TryReadDayFirstRest(s, ref i, first, out year, out month, out day);
            }

            word = ReadWord(s, ref i);
        }

        month = WhoisDateWords.MonthFromName(word);
        if (month == 0)
        {
            return false;
        }

        while (i < s.Length && (s[i] is ' ' or '.' or '-'))
        {
            i++;
        }

        if (!TryReadSmallNumber(s, ref i, out day))
        {
            return false;
        }

        SkipOrdinalSuffix(s, ref i);
        while (i < s.Length && (s[i] is ' ' or ',' or '-'))
        {
            i++;
        }

        if (CountDigits(s, i) == 4)
        {
            return ReadYear(s, ref i, out year);
        }

        if (!TryReadTime(s, ref i, ref time))
        {
            return false;
        }

        var offset = TimeSpan.Zero;
        TimeZoneInfo? region = null;
        if (TryReadZone(s, ref i, ref offset, ref region))
        {
            time.ZoneRead = true;
            time.Offset = offset;
            time.Region = region;
        }

        SkipSpaces(s, ref i);
        return CountDigits(s, i) == 4 && ReadYear(s, ref i, out year);
    }

    private static ReadOnlySpan<char> ReadWord(ReadOnlySpan<char> s, ref int i)
    {
        var start = i;
        while (i < s.Length && char.IsLetter(s[i]))
        {
            i++;
        }

        return s[start..i];
    }

    // Spanish, Portuguese and Catalan "de" ("15 de marzo de 2020", Latin America's "15 de marzo del 2020"); Catalan
    // elides it before a vowel ("14 d'abril"); English "15th of March 2020".
    private static bool IsParticle(ReadOnlySpan<char> word) =>
        word.Equals("de", StringComparison.OrdinalIgnoreCase) || word.Equals("del", StringComparison.OrdinalIgnoreCase)
        || word.Equals("of", StringComparison.OrdinalIgnoreCase);

    private static bool SkipElidedParticle(ReadOnlySpan<char> s, ref int i, ReadOnlySpan<char> word)
    {
        if (word.Length == 1 && word[0] is 'd' or 'D' && i < s.Length && s[i] is '\'' or '’')
        {
            i++;
            return true;
        }

        return false;
    }

    // English "1st", French "1er", and the ordinal indicators of Spanish, Portuguese and Italian ("1º", "1ª", "1°").
    private static void SkipOrdinalSuffix(ReadOnlySpan<char> s, ref int i)
    {
        if (i < s.Length && s[i] is 'º' or 'ª' or '°')
        {
            i++;
            return;
        }

        if (i + 1 < s.Length && s[i] is 'e' or 'E' && s[i + 1] is 'r' or 'R' && (i + 2 == s.Length || !char.IsLetter(s[i + 2])))
        {
            i += 2;
            return;
        }

        if (i + 1 < s.Length && char.IsLetter(s[i]) && char.IsLetter(s[i + 1]) && (i + 2 == s.Length || !char.IsLetter(s[i + 2])))
        {
            var suffix = s.Slice(i, 2);
            if (suffix.Equals("st", StringComparison.OrdinalIgnoreCase) || suffix.Equals("nd", StringComparison.OrdinalIgnoreCase)
                || suffix.Equals("rd", StringComparison.OrdinalIgnoreCase) || suffix.Equals("th", StringComparison.OrdinalIgnoreCase))
            {
                i += 2;
            }
        }
    }
}
