using System.Globalization;

namespace HeavyJobs.Whois.Server;

/// <summary>
/// Local times of the registries that print them. The daylight-saving rules are computed here instead of read
/// from the OS time-zone database, which minimal containers often lack.
/// </summary>
internal static class RegistryTime
{
    private static readonly TimeSpan _jst = TimeSpan.FromHours(9);
    private static readonly TimeSpan _brt = TimeSpan.FromHours(-3);

    /// <summary>Central European (DENIC, NASK): UTC+1, UTC+2 from the last Sunday of March to the last Sunday of October, 01:00 UTC.</summary>
    public static DateTimeOffset CentralEurope(DateTimeOffset instant)
    {
        var utc = instant.UtcDateTime;
        var start = LastSunday(utc.Year, 3).AddHours(1);
        var end = LastSunday(utc.Year, 10).AddHours(1);
        return instant.ToOffset(utc >= start && utc < end ? TimeSpan.FromHours(2) : TimeSpan.FromHours(1));
    }

    /// <summary>US Pacific: UTC-8, UTC-7 from the second Sunday of March 10:00 UTC to the first Sunday of November 09:00 UTC.</summary>
    public static DateTimeOffset Pacific(DateTimeOffset instant)
    {
        var utc = instant.UtcDateTime;
        var start = NthSunday(utc.Year, 3, 2).AddHours(10);
        var end = NthSunday(utc.Year, 11, 1).AddHours(9);
        return instant.ToOffset(utc >= start && utc < end ? TimeSpan.FromHours(-7) : TimeSpan.FromHours(-8));
    }

    public static DateTimeOffset Japan(DateTimeOffset instant) => instant.ToOffset(_jst);

    public static DateTimeOffset Brazil(DateTimeOffset instant) => instant.ToOffset(_brt);

    /// <summary>2019-09-30T14:35:48Z</summary>
    public static string IsoUtc(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>2018-03-12T21:44:25+01:00</summary>
    public static string IsoOffset(DateTimeOffset local) =>
        local.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>2019-09-09T08:39:04-0700 (offset without colon, as some registrars write it).</summary>
    public static string IsoCompactOffset(DateTimeOffset local)
    {
        var text = IsoOffset(local);
        return text.Remove(text.Length - 3, 1);
    }

    public static string Format(DateTimeOffset instant, string format) =>
        instant.ToString(format, CultureInfo.InvariantCulture);

    private static DateTime LastSunday(int year, int month)
    {
        var last = new DateTime(year, month, DateTime.DaysInMonth(year, month), 0, 0, 0, DateTimeKind.Utc);
        return last.AddDays(-(int)last.DayOfWeek);
    }

    private static DateTime NthSunday(int year, int month, int n)
    {
        var first = new DateTime(year, month, 1, 0, 0, 0, DateTimeKind.Utc);
        var firstSunday = first.AddDays((7 - (int)first.DayOfWeek) % 7);
        return firstSunday.AddDays(7 * (n - 1));
    }
}
