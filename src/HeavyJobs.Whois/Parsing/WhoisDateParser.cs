namespace HeavyJobs.Whois.Parsing;

/// <summary>
/// Reads the date spellings registries use, by hand rather than with a list of format strings:
/// trying dozens of <c>DateTime.TryParseExact</c> patterns per value is the slow part of naive parsers.
/// </summary>
/// <remarks>
/// Conventions, checked against the corpus: a value without a zone is UTC (JPRS writes its dates that way too,
/// only its "(JST)" stamps carry a zone); slashed day/month pairs are read day first unless that is impossible,
/// which is how .tk writes its expiry dates; dashed and dotted numeric dates are always day first (.hk, .fi, .rs).
/// </remarks>
internal static class WhoisDateParser
{
    private const int MinYear = 1900;
    private const int MaxYear = 2300;

    public static bool TryParse(ReadOnlySpan<char> text, out DateTimeOffset value)
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
        if (IsDigit(s, 0))
        {
            if (!TryReadNumericDate(s, ref i, out year, out month, out day))
            {
                return false;
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
        if (!time.Read)
        {
            TryReadTime(s, ref i, ref time);
        }

        if (!time.ZoneRead)
        {
            TryReadZone(s, ref i, ref offset);
        }
        else
        {
            offset = time.Offset;
        }

        return TryBuild(year, month, day, time, offset, out value);
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
            if (i < s.Length && s[i] == '年')
            {
                return TryReadCjkMonthDay(s, ref i, out month, out day);
            }

            if (i >= s.Length || !IsDateSeparator(s[i]))
            {
                return false;
            }

            var separator = s[i++];
            SkipSpaces(s, ref i);
            if (i < s.Length && char.IsLetter(s[i]))
            {
                // "2020-Jan-15".
                month = WhoisDateWords.MonthFromName(ReadWord(s, ref i));
                return month != 0 && i < s.Length && s[i++] == separator && TryReadSmallNumber(s, ref i, out day);
            }

            if (!TryReadSmallNumber(s, ref i, out month) || i >= s.Length || s[i] != separator)
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

    // Japanese and Chinese registries: "2001年03月22日", with the year already read.
    private static bool TryReadCjkMonthDay(ReadOnlySpan<char> s, ref int i, out int month, out int day)
    {
        day = 0;
        i++;
        if (!TryReadSmallNumber(s, ref i, out month) || i >= s.Length || s[i] != '月')
        {
            return false;
        }

        i++;
        if (!TryReadSmallNumber(s, ref i, out day))
        {
            return false;
        }

        if (i < s.Length && s[i] == '日')
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
            month = WhoisDateWords.MonthFromName(word);
            if (month == 0)
            {
                return false;
            }

            while (i < s.Length && (s[i] is ' ' or '-' or '.' or ',' or '/'))
            {
                i++;
            }

            day = first;
            return CountDigits(s, i) == 4 && ReadYear(s, ref i, out year);
        }

        if (separator == ' ' || !TryReadSmallNumber(s, ref i, out var second) || i >= s.Length || s[i] != separator)
        {
            return false;
        }

        i++;
        if (CountDigits(s, i) != 4 || !ReadYear(s, ref i, out year))
        {
            return false;
        }

        (day, month) = first > 12 || second <= 12 ? (first, second) : (second, first);
        return true;
    }

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
        if (TryReadZone(s, ref i, ref offset))
        {
            time.ZoneRead = true;
            time.Offset = offset;
        }

        SkipSpaces(s, ref i);
        return CountDigits(s, i) == 4 && ReadYear(s, ref i, out year);
    }

    private static bool TryReadTime(ReadOnlySpan<char> s, ref int i, ref TimeParts time)
    {
        var j = i;
        SkipSpaces(s, ref j);
        // "2001-06-14-T10:32:43Z" (a registrar typo), "...T10:00", "30th April 2003 at 00:00:00".
        if (j + 1 < s.Length && s[j] == '-' && s[j + 1] is 'T' or 't')
        {
            j += 2;
        }
        else if (j < s.Length && s[j] is 'T' or 't' && IsDigit(s, j + 1))
        {
            j++;
        }
        else if (j + 2 < s.Length && s.Slice(j, 2).Equals("at", StringComparison.OrdinalIgnoreCase) && s[j + 2] == ' ')
        {
            j += 3;
        }

        SkipSpaces(s, ref j);
        var hourDigits = CountDigits(s, j);
        if (hourDigits is < 1 or > 2 || j + hourDigits >= s.Length || s[j + hourDigits] != ':')
        {
            return false;
        }

        var hour = Number(s.Slice(j, hourDigits));
        j += hourDigits + 1;
        if (CountDigits(s, j) != 2)
        {
            return false;
        }

        var minute = Number(s.Slice(j, 2));
        j += 2;
        var second = 0;
        long fractionTicks = 0;
        if (j < s.Length && s[j] == ':' && CountDigits(s, j + 1) == 2)
        {
            second = Number(s.Slice(j + 1, 2));
            j += 3;
            if (j < s.Length && s[j] is '.' or ',' && IsDigit(s, j + 1))
            {
                j++;
                var digits = CountDigits(s, j);
                long scale = TimeSpan.TicksPerSecond;
                for (var k = 0; k < digits; k++)
                {
                    scale /= 10;
                    fractionTicks += (s[j + k] - '0') * scale;
                }

                j += digits;
            }
        }

        time.Read = true;
        time.Hour = hour;
        time.Minute = minute;
        time.Second = second;
        time.FractionTicks = fractionTicks;
        i = j;
        return true;
    }

    // "Z", "+02:00", "-0700", "+03", "UTC", "GMT+0:00", "(UTC+8)", "(JST)"; anything else after the date is ignored.
    private static bool TryReadZone(ReadOnlySpan<char> s, ref int i, ref TimeSpan offset)
    {
        var j = i;
        SkipSpaces(s, ref j);
        if (j >= s.Length)
        {
            return false;
        }

        if (s[j] == '(')
        {
            var close = s[j..].IndexOf(')');
            if (close < 0)
            {
                return false;
            }

            var inner = s.Slice(j + 1, close - 1).Trim();
            var k = 0;
            if (TryReadZone(inner, ref k, ref offset) && k == inner.Length)
            {
                i = j + close + 1;
                return true;
            }

            return false;
        }

        if (s[j] is 'Z' or 'z' && (j + 1 == s.Length || !char.IsLetter(s[j + 1])))
        {
            offset = TimeSpan.Zero;
            i = j + 1;
            return true;
        }

        if (s[j] is '+' or '-')
        {
            return TryReadNumericOffset(s, ref j, ref offset) && Advance(ref i, j);
        }

        if (!char.IsLetter(s[j]))
        {
            return false;
        }

        var word = ReadWord(s, ref j);
        TimeSpan named;
        switch (word.Length)
        {
            case 2 or 3 when word.Equals("UTC", StringComparison.OrdinalIgnoreCase)
                || word.Equals("GMT", StringComparison.OrdinalIgnoreCase)
                || word.Equals("UT", StringComparison.OrdinalIgnoreCase):
                named = TimeSpan.Zero;
                if (j < s.Length && s[j] is '+' or '-')
                {
                    if (!TryReadNumericOffset(s, ref j, ref named))
                    {
                        return false;
                    }
                }

                break;
            default:
                if (!WhoisDateWords.TryNamedZone(word, out named))
                {
                    return false;
                }

                break;
        }

        offset = named;
        i = j;
        return true;
    }

    private static bool Advance(ref int i, int to)
    {
        i = to;
        return true;
    }

    private static bool TryReadNumericOffset(ReadOnlySpan<char> s, ref int j, ref TimeSpan offset)
    {
        var sign = s[j] == '-' ? -1 : 1;
        var k = j + 1;
        var digits = CountDigits(s, k);
        int hours, minutes = 0;
        if (digits == 4)
        {
            hours = Number(s.Slice(k, 2));
            minutes = Number(s.Slice(k + 2, 2));
            k += 4;
        }
        else if (digits is 1 or 2)
        {
            hours = Number(s.Slice(k, digits));
            k += digits;
            if (k < s.Length && s[k] == ':' && CountDigits(s, k + 1) == 2)
            {
                minutes = Number(s.Slice(k + 1, 2));
                k += 3;
            }
        }
        else
        {
            return false;
        }

        if (hours > 14 || minutes > 59)
        {
            return false;
        }

        offset = new TimeSpan(sign * hours, sign * minutes, 0);
        j = k;
        return true;
    }

    private static bool TryBuild(int year, int month, int day, TimeParts time, TimeSpan offset, out DateTimeOffset value)
    {
        value = default;
        if (year is < MinYear or > MaxYear || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        if (time.Hour > 23 || time.Minute > 59 || time.Second > 59)
        {
            return false;
        }

        var local = new DateTime(year, month, day, time.Hour, time.Minute, time.Second, DateTimeKind.Unspecified)
            .AddTicks(time.FractionTicks);
        var utcTicks = local.Ticks - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        value = new DateTimeOffset(utcTicks, TimeSpan.Zero);
        return true;
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

    private static void SkipOrdinalSuffix(ReadOnlySpan<char> s, ref int i)
    {
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

    private struct TimeParts
    {
        public bool Read;
        public bool ZoneRead;
        public int Hour;
        public int Minute;
        public int Second;
        public long FractionTicks;
        public TimeSpan Offset;
    }
}
