using System.Globalization;
using HeavyJobs.Whois.Parsing;

namespace HeavyJobs.Whois.Tests.Parsing;

/// <summary>Zones after a date: IANA names (read from the system's tz database) and UTC offsets in their spellings.</summary>
public sealed class WhoisDateZoneTests
{
    [Theory]
    [InlineData("2024-03-01 10:00:00 (Asia/Dubai)", "2024-03-01T06:00:00Z")]
    [InlineData("2024-03-01T10:00:00 Europe/Berlin", "2024-03-01T09:00:00Z")]
    [InlineData("2024-07-01T10:00:00 Europe/Berlin", "2024-07-01T08:00:00Z")]
    [InlineData("01.03.2024 10:00 Asia/Tokyo", "2024-03-01T01:00:00Z")]
    [InlineData("2024-03-01 10:00:00 America/Argentina/Buenos_Aires", "2024-03-01T13:00:00Z")]
    [InlineData("2024-03-01 10:00:00 America/New_York", "2024-03-01T15:00:00Z")]
    [InlineData("2024-07-01 10:00:00 America/New_York", "2024-07-01T14:00:00Z")]
    [InlineData("2024-03-01 10:00:00 Asia/Kolkata", "2024-03-01T04:30:00Z")]
    [InlineData("2024-03-01 10:00:00 Australia/Sydney", "2024-02-29T23:00:00Z")]
    [InlineData("2024-03-01 10:00:00 Etc/GMT+3", "2024-03-01T13:00:00Z")]
    [InlineData("2024-03-01 Europe/Berlin", "2024-02-29T23:00:00Z")]
    [InlineData("2024-03-01 10:00:00 [Asia/Dubai]", "2024-03-01T06:00:00Z")]
    [InlineData("2024-03-01 10:00:00 Europe/Berlin CET", "2024-03-01T09:00:00Z")]
    [InlineData("Fri Mar 01 10:00:00 Asia/Tokyo 2024", "2024-03-01T01:00:00Z")]
    public void Reads_iana_zone_names_with_the_offset_in_effect_then(string text, string expected) =>
        AssertReads(text, expected);

    // A name the tz database does not know leaves the time as it was read (UTC), like any unknown word after a date.
    [Theory]
    [InlineData("2024-03-01 10:00:00 Mars/Olympus_Mons", "2024-03-01T10:00:00Z")]
    [InlineData("2024-03-01 10:00:00 (Nowhere/Town)", "2024-03-01T10:00:00Z")]
    [InlineData("2024-03-01 10:00:00 Europe/../../etc/passwd", "2024-03-01T10:00:00Z")]
    [InlineData("2024-03-01 10:00:00 europe/berlin", "2024-03-01T09:00:00Z")]
    public void Falls_back_to_utc_for_a_zone_it_cannot_find(string text, string expected) =>
        AssertReads(text, expected);

    [Theory]
    [InlineData("2024-03-01 10:00:00 GMT+8", "2024-03-01T02:00:00Z")]
    [InlineData("2024-03-01 10:00:00 GMT-3", "2024-03-01T13:00:00Z")]
    [InlineData("2024-03-01 10:00:00 UTC+05:30", "2024-03-01T04:30:00Z")]
    [InlineData("2024-03-01 10:00:00 UTC+0530", "2024-03-01T04:30:00Z")]
    [InlineData("2024-03-01 10:00:00 +0800", "2024-03-01T02:00:00Z")]
    [InlineData("2024-03-01 10:00:00+0800", "2024-03-01T02:00:00Z")]
    [InlineData("2024-03-01 10:00:00 (UTC+8)", "2024-03-01T02:00:00Z")]
    [InlineData("2024-03-01 10:00:00 (GMT+08:00)", "2024-03-01T02:00:00Z")]
    [InlineData("2024-03-01 10:00:00 GMT +8", "2024-03-01T02:00:00Z")]
    [InlineData("2024-03-01 10:00:00 UTC +08:00", "2024-03-01T02:00:00Z")]
    [InlineData("2024-03-01 10:00:00 UTC−3", "2024-03-01T13:00:00Z")]
    [InlineData("2024-03-01 10:00:00 +08:00:00", "2024-03-01T02:00:00Z")]
    [InlineData("2024-03-01 10:00:00 UTC+8:00", "2024-03-01T02:00:00Z")]
    [InlineData("2024-03-01T10:00:00+05:45", "2024-03-01T04:15:00Z")]
    [InlineData("2024-03-01 10:00:00 (UTC)", "2024-03-01T10:00:00Z")]
    [InlineData("2024-03-01 10:00:00 GMT+0800 (China Standard Time)", "2024-03-01T02:00:00Z")]
    [InlineData("Fri Mar 01 2024 10:00:00 GMT+0800 (China Standard Time)", "2024-03-01T02:00:00Z")]
    public void Reads_utc_offsets_in_their_spellings(string text, string expected) =>
        AssertReads(text, expected);

    private static void AssertReads(string text, string expected)
    {
        Assert.True(WhoisDateParser.TryParse(text, out var value), text);

        Assert.Equal(TimeSpan.Zero, value.Offset);
        Assert.Equal(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture), value);
    }
}
