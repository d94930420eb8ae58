using System.Text;
using HeavyJobs.Whois.Client;

namespace HeavyJobs.Whois.Tests.Client;

public sealed class WhoisAnswerHandlingTests
{
    [Theory]
    [InlineData("   Registrar WHOIS Server: whois.markmonitor.com\r\n", "whois.markmonitor.com")]
    [InlineData("Registrar WHOIS Server: WHOIS.ENOM.COM\n", "whois.enom.com")]
    [InlineData("Registrar WHOIS Server: http://whois.example.test/\n", "whois.example.test")]
    [InlineData("   Whois Server: whois.tucows.com\n", "whois.tucows.com")]
    [InlineData("ReferralServer: whois://whois.ripe.net\n", "whois.ripe.net")]
    [InlineData("ReferralServer: whois://whois.apnic.net:43\n", "whois.apnic.net")]
    [InlineData("ReferralServer: whois://rwhois.example.test:4321\n", "rwhois.example.test:4321")]
    [InlineData("ReferralServer: rwhois://rwhois.example.test:4321\n", null)]
    [InlineData("Registrar WHOIS Server:\nWhois Server: whois.second.test\n", "whois.second.test")]
    [InlineData("Registrar WHOIS Server: see the registrar's web site\n", null)]
    [InlineData("Domain: example.de\nStatus: connect\n", null)]
    public void Finds_the_referral(string answer, string? expected) =>
        Assert.Equal(expected, WhoisReferralParser.FindReferral(answer));

    [Theory]
    [InlineData("Query limit exceeded")]
    [InlineData("WHOIS LIMIT EXCEEDED - SEE WWW.PIR.ORG/WHOIS FOR DETAILS")]
    [InlineData("Quota exceeded")]
    [InlineData("The WHOIS query quota for 2001:db8::1 has been exceeded and will be replenished in 17 seconds.")]
    [InlineData("Too many requests")]
    [InlineData("You have exceeded the maximum allowable number of whois queries.")]
    [InlineData("55000000002 Connection refused; access control limit reached.")]
    [InlineData("%% Maximum query limit reached")]
    public void Recognises_rate_limit_refusals(string answer) =>
        Assert.True(WhoisRateLimitDetector.IsRateLimited(answer));

    [Theory]
    [InlineData("Access to the Whois and RDAP services is rate limited. For more information, visit the registry.")]
    [InlineData("Queries to the Whois services are throttled. If too many queries are received from a single IP address within a specified time, the service will begin to reject further queries.")]
    [InlineData("(C) exceeding query rate or volume limits.")]
    [InlineData("Domain Name: LIMIT-EXCEEDED-SHOP.COM")]
    public void Does_not_mistake_terms_of_use_for_refusals(string answer) =>
        Assert.False(WhoisRateLimitDetector.IsRateLimited(answer));

    [Fact]
    public void Extra_patterns_extend_the_detector()
    {
        var detector = WhoisRateLimitDetector.Create(["slow down, cowboy"]);

        Assert.True(detector("Please SLOW DOWN, COWBOY."));
        Assert.True(detector("Too many requests"));
        Assert.False(WhoisRateLimitDetector.IsRateLimited("slow down, cowboy"));
    }

    [Fact]
    public void Decodes_utf8_and_falls_back_to_latin1()
    {
        Assert.Equal("Registrant: Müller", WhoisTextDecoder.Decode(Encoding.UTF8.GetBytes("Registrant: Müller")));
        Assert.Equal("Registrant: Müller", WhoisTextDecoder.Decode(Encoding.Latin1.GetBytes("Registrant: Müller")));
        Assert.Equal("abc", WhoisTextDecoder.Decode([0xEF, 0xBB, 0xBF, (byte)'a', (byte)'b', (byte)'c']));
        Assert.Equal(string.Empty, WhoisTextDecoder.Decode([]));
    }

    [Fact]
    public void Decodes_utf16_when_a_byte_order_mark_says_so()
    {
        Assert.Equal("Domain: müller.xy", WhoisTextDecoder.Decode([0xFF, 0xFE, .. Encoding.Unicode.GetBytes("Domain: müller.xy")]));
        Assert.Equal("Domain: müller.xy", WhoisTextDecoder.Decode([0xFE, 0xFF, .. Encoding.BigEndianUnicode.GetBytes("Domain: müller.xy")]));
    }

    [Fact]
    public void An_answer_cut_inside_a_character_stays_utf8()
    {
        var bytes = Encoding.UTF8.GetBytes("Name: Łódź");

        Assert.Equal("Name: Łód\uFFFD", WhoisTextDecoder.Decode(bytes[..^1]));
    }

    [Fact]
    public void Default_query_format_asks_jprs_for_english()
    {
        Assert.Equal("example.jp/e", WhoisQueryFormat.Default("whois.jprs.jp", "example.jp"));
        Assert.Equal("example.com", WhoisQueryFormat.Default("whois.verisign-grs.com", "example.com"));
        Assert.Equal("example.jp", WhoisQueryFormat.Plain("whois.jprs.jp", "example.jp"));
    }
}
