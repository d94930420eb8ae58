namespace HeavyJobs.Whois.Parsing;

/// <summary>The time of day and the zone after a date: "T10:32:43.5Z", " 17:48:23 CLST", " 01:05:22 (JST)", "+02:00".</summary>
internal static partial class WhoisDateParser
{
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
        else if (j + 3 < s.Length && s.Slice(j, 3).Equals("kl.", StringComparison.OrdinalIgnoreCase))
        {
            // Danish and Norwegian: "1. marts 2024 kl. 10:00".
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

        // "11:59:59 PM": a 12-hour clock, as registrars in the United States write it.
        var marker = j;
        SkipSpaces(s, ref marker);
        if (hour is >= 1 and <= 12 && marker + 1 < s.Length && s[marker] is 'A' or 'a' or 'P' or 'p' && s[marker + 1] is 'M' or 'm'
            && (marker + 2 == s.Length || !char.IsLetter(s[marker + 2])))
        {
            hour = (hour % 12) + (s[marker] is 'P' or 'p' ? 12 : 0);
            j = marker + 2;
        }

        time.Read = true;
        time.Hour = hour;
        time.Minute = minute;
        time.Second = second;
        time.FractionTicks = fractionTicks;
        i = j;
        return true;
    }

    // "Z", "+02:00", "-0700", "+03", "UTC", "GMT+0:00", "GMT +8", "(UTC+8)", "(JST)", "Europe/Berlin", "[Asia/Dubai]";
    // anything else after the date is ignored. An IANA name leaves the offset to the zone's rules on that day.
    private static bool TryReadZone(ReadOnlySpan<char> s, ref int i, ref TimeSpan offset, ref TimeZoneInfo? region)
    {
        var j = i;
        SkipSpaces(s, ref j);
        if (j >= s.Length)
        {
            return false;
        }

        if (s[j] is '(' or '[')
        {
            var close = s[j..].IndexOf(s[j] == '(' ? ')' : ']');
            if (close < 0)
            {
                return false;
            }

            var inner = s.Slice(j + 1, close - 1).Trim();
            var k = 0;
            if (TryReadZone(inner, ref k, ref offset, ref region) && k == inner.Length)
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

        if (IsSign(s[j]))
        {
            return TryReadNumericOffset(s, ref j, ref offset) && Advance(ref i, j);
        }

        if (!char.IsLetter(s[j]))
        {
            return false;
        }

        var wordStart = j;
        var word = ReadWord(s, ref j);
        if (j < s.Length && s[j] == '/')
        {
            var nameLength = WhoisTimeZones.NameLength(s, wordStart);
            if (!WhoisTimeZones.TryFind(s.Slice(wordStart, nameLength), out var zone))
            {
                return false;
            }

            region = zone;
            i = wordStart + nameLength;
            return true;
        }

        TimeSpan named;
        switch (word.Length)
        {
            case 2 or 3 when word.Equals("UTC", StringComparison.OrdinalIgnoreCase)
                || word.Equals("GMT", StringComparison.OrdinalIgnoreCase)
                || word.Equals("UT", StringComparison.OrdinalIgnoreCase):
                named = TimeSpan.Zero;
                // "GMT+8", and "GMT +8" with a space some servers put before the sign.
                var sign = j;
                SkipSpaces(s, ref sign);
                if (sign < s.Length && IsSign(s[sign]) && IsDigit(s, sign + 1))
                {
                    if (!TryReadNumericOffset(s, ref sign, ref named))
                    {
                        return false;
                    }

                    j = sign;
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

    // U+2212, the typographic minus, is how "UTC−3" is printed by servers that render their stamps for people.
    private static bool IsSign(char c) => c is '+' or '-' or '\u2212';

    private static bool Advance(ref int i, int to)
    {
        i = to;
        return true;
    }

    private static bool TryReadNumericOffset(ReadOnlySpan<char> s, ref int j, ref TimeSpan offset)
    {
        var sign = s[j] == '+' ? 1 : -1;
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
                if (k < s.Length && s[k] == ':' && s.Slice(k + 1).StartsWith("00", StringComparison.Ordinal))
                {
                    // "+08:00:00": some servers print the offset with its (always zero) seconds.
                    k += 3;
                }
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

    private static bool TryBuild(int year, int month, int day, TimeParts time, TimeSpan offset, TimeZoneInfo? region, out DateTimeOffset value)
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
        if (region is not null)
        {
            // The offset in effect at that local time: summer time counts. A time skipped or repeated by a clock change
            // gets the zone's standard offset, as the runtime gives it.
            offset = region.GetUtcOffset(local);
        }

        var utcTicks = local.Ticks - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        value = new DateTimeOffset(utcTicks, TimeSpan.Zero);
        return true;
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
        public TimeZoneInfo? Region;
    }
}
