using System.Globalization;
using HeavyJobs.Whois.Parsing;

namespace HeavyJobs.Whois.Tests.Parsing;

public sealed class WhoisDateParserTests
{
    [Theory]
    [InlineData("2019-09-09T08:39:04-0700", "2019-09-09T15:39:04Z")]
    [InlineData("2019-09-09T08:39:04Z", "2019-09-09T08:39:04Z")]
    [InlineData("2017-12-16T03:58:55.24Z", "2017-12-16T03:58:55.24Z")]
    [InlineData("2002-10-30T17:44:41.0Z", "2002-10-30T17:44:41Z")]
    [InlineData("2001-06-14-T10:32:43Z", "2001-06-14T10:32:43Z")]
    [InlineData("2008-10-22T11:33:44+02:00", "2008-10-22T09:33:44Z")]
    [InlineData("2019-01-02T04:55:30+13:00", "2019-01-01T15:55:30Z")]
    [InlineData("2018-02-09 11:59:43", "2018-02-09T11:59:43Z")]
    [InlineData("2018-02-05 22:59:12.55172", "2018-02-05T22:59:12.55172Z")]
    [InlineData("2011-01-23 00:00:07 +02:00", "2011-01-22T22:00:07Z")]
    [InlineData("2011-07-21 18:03:50+03", "2011-07-21T15:03:50Z")]
    [InlineData("2020-01-02 03:04:05 UTC", "2020-01-02T03:04:05Z")]
    [InlineData("2000-01-01", "2000-01-01T00:00:00Z")]
    [InlineData("2000.01.02 03:04:05", "2000-01-02T03:04:05Z")]
    [InlineData("2012. 05. 19.", "2012-05-19T00:00:00Z")]
    [InlineData("2001/05/14", "2001-05-14T00:00:00Z")]
    [InlineData("2019/06/01 04:52:02 (JST)", "2019-05-31T19:52:02Z")]
    [InlineData("2000-08-29 10:22:50 (UTC+8)", "2000-08-29T02:22:50Z")]
    [InlineData("1999-06-07 13:01:43 (GMT+0:00)", "1999-06-07T13:01:43Z")]
    [InlineData("2008-05-23 (YYYY-MM-DD)", "2008-05-23T00:00:00Z")]
    [InlineData("20000101", "2000-01-01T00:00:00Z")]
    [InlineData("20221101 00:10:24", "2022-11-01T00:10:24Z")]
    [InlineData("19961206 #24302", "1996-12-06T00:00:00Z")]
    [InlineData("01-Jan-2000", "2000-01-01T00:00:00Z")]
    [InlineData("15-Jul-1985", "1985-07-15T00:00:00Z")]
    [InlineData("31 May 1999", "1999-05-31T00:00:00Z")]
    [InlineData("30th April 2003 at 00:00:00.000", "2003-04-30T00:00:00Z")]
    [InlineData("15.12.2015 09:48:01", "2015-12-15T09:48:01Z")]
    [InlineData("2.6.2019", "2019-06-02T00:00:00Z")]
    [InlineData("11-07-2017", "2017-07-11T00:00:00Z")]
    [InlineData("12/18/2001", "2001-12-18T00:00:00Z")]
    [InlineData("03/02/2020", "2020-02-03T00:00:00Z")]
    [InlineData("Mon Jan 03 2000", "2000-01-03T00:00:00Z")]
    [InlineData("January 5, 2001", "2001-01-05T00:00:00Z")]
    [InlineData("Fri, 6 Dec 2024 at 14:12:16 GMT", "2024-12-06T14:12:16Z")]
    [InlineData("Tue Sep 15 04:00:00 GMT 1997", "1997-09-15T04:00:00Z")]
    [InlineData("2015-03-20T21:13:41Z nic@nic.fr", "2015-03-20T21:13:41Z")]
    [InlineData("2001年03月22日", "2001-03-22T00:00:00Z")]
    [InlineData("15 de marzo de 2020", "2020-03-15T00:00:00Z")]
    [InlineData("1 de janeiro de 2021 10:00", "2021-01-01T10:00:00Z")]
    [InlineData("2020-Jan-15", "2020-01-15T00:00:00Z")]
    [InlineData("15-ene-2020", "2020-01-15T00:00:00Z")]
    [InlineData("3 März 2021", "2021-03-03T00:00:00Z")]
    [InlineData("12 décembre 2019", "2019-12-12T00:00:00Z")]
    [InlineData("Mar 15 2020", "2020-03-15T00:00:00Z")]
    [InlineData("Friday 21st Jun 2030", "2030-06-21T00:00:00Z")]
    [InlineData("2002-10-22 17:48:23 CLST", "2002-10-22T20:48:23Z")]
    [InlineData("2020-01-01 10:00:00 IRST", "2020-01-01T06:30:00Z")]
    [InlineData("2020-01-01 10:00:00 EST", "2020-01-01T15:00:00Z")]
    [InlineData("15 de marzo del 2020", "2020-03-15T00:00:00Z")]
    [InlineData("15th of March 2020", "2020-03-15T00:00:00Z")]
    [InlineData("2020-01-01 10:00:00 GST", "2020-01-01T06:00:00Z")]
    [InlineData("2020-01-01 10:00:00 NPT", "2020-01-01T04:15:00Z")]
    [InlineData("2020-01-01 10:00:00 ULAT", "2020-01-01T02:00:00Z")]
    [InlineData("2020-01-01 10:00:00 SLST", "2020-01-01T04:30:00Z")]
    [InlineData("2020-01-01 10:00:00 GYT", "2020-01-01T14:00:00Z")]
    [InlineData("03/14/2027 11:59:59 PM", "2027-03-14T23:59:59Z")]
    [InlineData("03/14/2027 12:05:00 AM", "2027-03-14T00:05:00Z")]
    [InlineData("2027-03-14 12:30 pm UTC", "2027-03-14T12:30:00Z")]
    [InlineData("14-03-2005 10:11 AM", "2005-03-14T10:11:00Z")]
    [InlineData("20270314235959", "2027-03-14T23:59:59Z")]
    [InlineData("14. 3. 2027", "2027-03-14T00:00:00Z")]
    [InlineData("14-MAR-27", "2027-03-14T00:00:00Z")]
    [InlineData("01-JAN-99", "1999-01-01T00:00:00Z")]
    [InlineData("2027. március 14.", "2027-03-14T00:00:00Z")]
    [InlineData("14 марта 2027", "2027-03-14T00:00:00Z")]
    [InlineData("1 января 2020 г.", "2020-01-01T00:00:00Z")]
    [InlineData("14 marca 2027", "2027-03-14T00:00:00Z")]
    [InlineData("14. června 2027", "2027-06-14T00:00:00Z")]
    [InlineData("14. července 2027", "2027-07-14T00:00:00Z")]
    [InlineData("14 Mart 2027", "2027-03-14T00:00:00Z")]
    [InlineData("3 Ağustos 2021", "2021-08-03T00:00:00Z")]
    [InlineData("2005년 3월 14일", "2005-03-14T00:00:00Z")]
    [InlineData("2005년03월14일", "2005-03-14T00:00:00Z")]
    [InlineData("14 d'abril de 2005", "2005-04-14T00:00:00Z")]
    [InlineData("14 de març de 2005", "2005-03-14T00:00:00Z")]
    [InlineData("14 augusti 2027", "2027-08-14T00:00:00Z")]
    [InlineData("14. desember 2027", "2027-12-14T00:00:00Z")]
    [InlineData("14. maaliskuuta 2027", "2027-03-14T00:00:00Z")]
    [InlineData("14. märts 2027", "2027-03-14T00:00:00Z")]
    [InlineData("14 martie 2027", "2027-03-14T00:00:00Z")]
    [InlineData("14. avgust 2027.", "2027-08-14T00:00:00Z")]
    [InlineData("14 Ogos 2027", "2027-08-14T00:00:00Z")]
    [InlineData("14 Maret 2027", "2027-03-14T00:00:00Z")]
    [InlineData("14 березня 2027", "2027-03-14T00:00:00Z")]
    [InlineData("14 Μαρτίου 2027", "2027-03-14T00:00:00Z")]
    [InlineData("14 ágúst 2027", "2027-08-14T00:00:00Z")]
    [InlineData("14/03/27", "2027-03-14T00:00:00Z")]
    [InlineData("14-03-05 10:11:12", "2005-03-14T10:11:12Z")]
    public void Reads_registry_date_spellings_as_utc_instants(string text, string expected)
    {
        Assert.True(WhoisDateParser.TryParse(text, out var value), text);

        Assert.Equal(TimeSpan.Zero, value.Offset);
        Assert.Equal(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture), value);
    }

    // Month first only where the answer said so; a pair that can only be one way stays that way.
    [Theory]
    [InlineData("01/04/2010", false, "2010-04-01T00:00:00Z")]
    [InlineData("01/04/2010", true, "2010-01-04T00:00:00Z")]
    [InlineData("01/04/2010 10:11:12", true, "2010-01-04T10:11:12Z")]
    [InlineData("12/31/2010", true, "2010-12-31T00:00:00Z")]
    [InlineData("31/12/2010", true, "2010-12-31T00:00:00Z")]
    [InlineData("2010/01/04", true, "2010-01-04T00:00:00Z")]
    [InlineData("4 Jan 2010", true, "2010-01-04T00:00:00Z")]
    public void Reads_an_ambiguous_pair_month_first_only_when_told(string text, bool monthFirst, string expected)
    {
        Assert.True(WhoisDateParser.TryParse(text, monthFirst, out var value), text);

        Assert.Equal(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("n/a")]
    [InlineData("Not Disclosed - Visit www.internet.ee for webbased WHOIS")]
    [InlineData("before 1 January 1996")]
    [InlineData("2019")]
    [InlineData("2019-13-01")]
    [InlineData("31.02.2019")]
    [InlineData("2019-01-01T25:00:00Z")]
    [InlineData("13/13/2020")]
    [InlineData("1.2.27")]
    [InlineData("14/03/271")]
    public void Rejects_values_that_are_not_dates(string text)
    {
        Assert.False(WhoisDateParser.TryParse(text, out _), text);
    }
}
