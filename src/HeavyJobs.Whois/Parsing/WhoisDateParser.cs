namespace HeavyJobs.Whois.Parsing;

/// <summary>
/// Reads the date spellings registries use, by hand rather than with a list of format strings:
/// trying dozens of <c>DateTime.TryParseExact</c> patterns per value is the slow part of naive parsers.
/// </summary>
/// <remarks>
/// Conventions, checked against the corpus: a value without a zone is UTC (JPRS writes its dates that way too,
/// only its "(JST)" stamps carry a zone); slashed day/month pairs are read day first unless that is impossible,
/// which is how .tk writes its expiry dates, or an answer says "mm/dd/yyyy"; dashed and dotted numeric dates are
/// day first otherwise (.hk, .fi, .rs).
/// </remarks>
internal static partial class WhoisDateParser
{
    private const int MinYear = 1900;
    private const int MaxYear = 2300;

    public static bool TryParse(ReadOnlySpan<char> text, out DateTimeOffset value) => TryParse(text, monthFirst: false, out value);

    /// <summary>
    /// Reads a date; with <paramref name="monthFirst"/>, a numeric pair that could be either ("01/04/2010") is read
    /// month first, as an answer that says its dates are "mm/dd/yyyy" writes them.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, bool monthFirst, out DateTimeOffset value)
    {
        value = default;
        var s = text.Trim();
        // .br appends a ticket number: "19961206 #24302".
        var hash = s.IndexOf('#');
        if (hash >= 0)
        {
            s = s[..hash].TrimEnd();
        }

        if (s.IsEmpty)
        {
            return false;
        }

        var i = 0;
        var time = default(TimeParts);
        int year, month, day;
        if (CountDigits(s, 0) == 14)
        {
            // "20270314235959": the date and the time of day in one number.
            (year, month, day) = (Number(s[..4]), Number(s.Slice(4, 2)), Number(s.Slice(6, 2)));
            (time.Read, time.Hour, time.Minute, time.Second) = (true, Number(s.Slice(8, 2)), Number(s.Slice(10, 2)), Number(s.Slice(12, 2)));
            i = 14;
        }
        else if (IsDigit(s, 0))
        {
            if (!TryReadNumericDate(s, ref i, out year, out month, out day))
            {
                return false;
            }

            var lead = CountDigits(s, 0);
            if (monthFirst && day <= 12 && month <= 12 && lead is 1 or 2 && lead + 1 < s.Length && IsDateSeparator(s[lead]) && char.IsAsciiDigit(s[lead + 1]))
            {
                (day, month) = (month, day);
            }
        }
        else if (char.IsLetter(s[0]))
        {
            if (!TryReadWordDate(s, ref i, out year, out month, out day, ref time))
            {
                return false;
            }
        }
        else
        {
            return false;
        }

        var offset = TimeSpan.Zero;
        TimeZoneInfo? region = null;
        if (!time.Read)
        {
            TryReadTime(s, ref i, ref time);
        }

        if (!time.ZoneRead)
        {
            TryReadZone(s, ref i, ref offset, ref region);
        }
        else
        {
            offset = time.Offset;
            region = time.Region;
        }

        return TryBuild(year, month, day, time, offset, region, out value);
    }

    private static bool TryReadNumericDate(ReadOnlySpan<char> s, ref int i, out int year, out int month, out int day)
    {
        year = month = day = 0;
        var digits = CountDigits(s, 0);
        if (digits == 8)
        {
            year = Number(s.Slice(0, 4));
            month = Number(s.Slice(4, 2));
            day = Number(s.Slice(6, 2));
            i = 8;
            return true;
        }

        if (digits == 4)
        {
            year = Number(s[..4]);
            i = 4;
            if (i < s.Length && s[i] is '年' or '년')
            {
                return TryReadCjkMonthDay(s, ref i, out month, out day);
            }

            // "2024 Mar 01": a space before the month only where the month is named, or "2024 12 ..." would be a date.
            var spacedName = i + 1 < s.Length && s[i] == ' ' && char.IsLetter(s[i + 1]);
            if (i >= s.Length || (!IsDateSeparator(s[i]) && !spacedName))
            {
                return false;
            }

            var separator = s[i++];
            SkipSpaces(s, ref i);
            // "2020-Jan-15" and Hungarian's "2027. március 14." name the month (a space may follow the name).
            var named = i < s.Length && char.IsLetter(s[i]);
            if (named)
            {
                month = WhoisDateWords.MonthFromName(ReadWord(s, ref i));
            }
            else if (!TryReadSmallNumber(s, ref i, out month))
            {
                return false;
            }

            if (month == 0 || i >= s.Length || (s[i] != separator && !(named && s[i] == ' ')))
            {
                return false;
            }

            i++;
            SkipSpaces(s, ref i);
            if (!TryReadSmallNumber(s, ref i, out day))
            {
                return false;
            }

            // .kr ends each part with a dot: "2012. 05. 19."
            if (separator == '.' && i < s.Length && s[i] == '.')
            {
                i++;
            }

            return true;
        }

        if (digits is 1 or 2)
        {
            var first = Number(s[..digits]);
            i = digits;
            SkipOrdinalSuffix(s, ref i);
            return TryReadDayFirstRest(s, ref i, first, out year, out month, out day);
        }

        return false;
    }

    // Japanese and Chinese registries: "2001年03月22日"; Korean ones "2001년 03월 22일", with spaces between the parts.
    // The year is already read.
    private static bool TryReadCjkMonthDay(ReadOnlySpan<char> s, ref int i, out int month, out int day)
    {
        day = 0;
        i++;
        SkipSpaces(s, ref i);
        if (!TryReadSmallNumber(s, ref i, out month) || i >= s.Length || s[i] is not ('月' or '월'))
        {
            return false;
        }

        i++;
        SkipSpaces(s, ref i);
        if (!TryReadSmallNumber(s, ref i, out day))
        {
            return false;
        }

        if (i < s.Length && s[i] is '日' or '일')
        {
            i++;
        }

        return true;
    }

    // After a leading day (or the first number of a numeric date): "-Jan-2000", " May 1999", ".12.2015", "/02/2000".
    private static bool TryReadDayFirstRest(ReadOnlySpan<char> s, ref int i, int first, out int year, out int month, out int day)
    {
        year = month = day = 0;
        if (i >= s.Length)
        {
            return false;
        }

        var separator = s[i];
        if (!IsDateSeparator(separator) && separator != ' ')
        {
            return false;
        }

        i++;
        SkipSpaces(s, ref i);
        if (i < s.Length && char.IsLetter(s[i]))
        {
            var word = ReadWord(s, ref i);
            // Spanish and Portuguese: "15 de marzo de 2020"; Catalan "14 d'abril de 2005".
            if (IsParticle(word) || SkipElidedParticle(s, ref i, word))
            {
                SkipSpaces(s, ref i);
                word = ReadWord(s, ref i);
            }

            month = WhoisDateWords.MonthFromName(word);
            if (month == 0)
            {
                return false;
            }

            while (i < s.Length && (s[i] is ' ' or '-' or '.' or ',' or '/'))
            {
                i++;
            }

            var afterParticle = i;
            if (IsParticle(ReadWord(s, ref afterParticle)))
            {
                i = afterParticle;
                SkipSpaces(s, ref i);
            }

            day = first;
            // "14-MAR-27": a two-digit year is read only after a month's name, where it cannot be the day.
            if (CountDigits(s, i) == 2)
            {
                var shortYear = Number(s.Slice(i, 2));
                year = shortYear < 70 ? 2000 + shortYear : 1900 + shortYear;
                i += 2;
                return true;
            }

            return CountDigits(s, i) == 4 && ReadYear(s, ref i, out year);
        }

        if (separator == ' ' || !TryReadSmallNumber(s, ref i, out var second) || i >= s.Length || s[i] != separator)
        {
            return false;
        }

        i++;
        SkipSpaces(s, ref i);
        var yearDigits = CountDigits(s, i);
        if (yearDigits == 2 && separator != '.' && (i + 2 == s.Length || s[i + 2] == ' '))
        {
            // "14/03/27" (.hm): a two-digit year, read like the one after a month's name. Dotted triples are left out:
            // "1.2.27" is as likely a version as a date.
            var shortYear = Number(s.Slice(i, 2));
            year = shortYear < 70 ? 2000 + shortYear : 1900 + shortYear;
            i += 2;
        }
        else if (yearDigits != 4 || !ReadYear(s, ref i, out year))
        {
            return false;
        }

        (day, month) = first > 12 || second <= 12 ? (first, second) : (second, first);
        return true;
    }

    private static bool TryReadSmallNumber(ReadOnlySpan<char> s, ref int i, out int value)
    {
        var digits = CountDigits(s, i);
        if (digits is < 1 or > 2)
        {
            value = 0;
            return false;
        }

        value = Number(s.Slice(i, digits));
        i += digits;
        return true;
    }

    private static bool ReadYear(ReadOnlySpan<char> s, ref int i, out int year)
    {
        year = Number(s.Slice(i, 4));
        i += 4;
        return true;
    }

    private static void SkipSpaces(ReadOnlySpan<char> s, ref int i)
    {
        while (i < s.Length && s[i] is ' ' or '\t')
        {
            i++;
        }
    }

    private static bool IsDateSeparator(char c) => c is '-' or '.' or '/';

    private static bool IsDigit(ReadOnlySpan<char> s, int i) => i < s.Length && char.IsAsciiDigit(s[i]);

    private static int CountDigits(ReadOnlySpan<char> s, int i)
    {
        var start = i;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
        }

        return i - start;
    }

    private static int Number(ReadOnlySpan<char> digits)
    {
        var n = 0;
        foreach (var c in digits)
        {
            n = (n * 10) + (c - '0');
        }

        return n;
    }
}
