using System.Text;
using HeavyJobs.Whois.Client;

namespace HeavyJobs.Whois.Tests.Client;

public sealed class WhoisServerTableTests
{
    [Theory]
    [InlineData("google.com", "whois.verisign-grs.com")]
    [InlineData("EXAMPLE.NET.", "whois.verisign-grs.com")]
    [InlineData("example.co.uk", "whois.nic.uk")]
    [InlineData("example.com.br", "whois.registro.br")]
    [InlineData("example.de", "whois.denic.de")]
    [InlineData("example.jp", "whois.jprs.jp")]
    [InlineData("xn--j1ay.xn--p1ai", "whois.tcinet.ru")]
    [InlineData("example.zz", null)]
    public void Default_table_knows_the_common_registries(string domain, string? expected) =>
        Assert.Equal(expected, WhoisServerTable.Default.FindServerForDomain(domain));

    [Fact]
    public void Default_table_covers_every_tld_of_the_corpus()
    {
        string[] corpusTlds =
        [
            "ac", "aero", "ai", "asia", "at", "au", "berlin", "biz", "br", "by", "ca", "cat", "cc", "ch", "cn", "co", "com", "coop", "cx",
            "cymru", "de", "dk", "edu", "ee", "eu", "fi", "fr", "gg", "google", "gov", "gs", "hk", "hm", "hu", "in", "info", "int", "io",
            "ir", "it", "jobs", "jp", "kr", "kz", "la", "london", "love", "me", "mo", "mobi", "museum", "name", "net", "nl", "nu", "nz",
            "org", "pl", "pm", "pro", "re", "ro", "rs", "ru", "scot", "se", "sexy", "sh", "sk", "su", "swiss", "tel", "tf", "tk", "top",
            "travel", "tv", "tw", "ua", "uk", "us", "wales", "wf", "ws", "xn--fiqs8s", "xn--mgba3a4f16a", "xn--p1ai", "xxx", "xyz", "yt",
        ];

        Assert.All(corpusTlds, tld => Assert.NotNull(WhoisServerTable.Default.FindServerForSuffix(tld)));
    }

    [Fact]
    public void Longer_suffixes_win_and_overrides_replace_entries()
    {
        var table = WhoisServerTable.Default
            .WithServer("co.uk", "whois.co-uk.test")
            .WithServer("COM", "Whois.Other.Test");

        Assert.Equal("whois.co-uk.test", table.FindServerForDomain("a.co.uk"));
        Assert.Equal("whois.nic.uk", table.FindServerForDomain("a.org.uk"));
        Assert.Equal("whois.other.test", table.FindServerForDomain("a.com"));
        Assert.Equal("whois.verisign-grs.com", WhoisServerTable.Default.FindServerForDomain("a.com"));
    }

    [Fact]
    public void Endpoints_default_to_port_43_of_the_name_and_can_be_redirected()
    {
        var table = WhoisServerTable.Default.WithEndpoint("whois.verisign-grs.com", new WhoisEndpoint("127.0.0.1", 4301));

        Assert.Equal(new WhoisEndpoint("127.0.0.1", 4301), table.ResolveEndpoint("WHOIS.VERISIGN-GRS.COM"));
        Assert.Equal(new WhoisEndpoint("whois.denic.de", 43), table.ResolveEndpoint("whois.denic.de"));
        Assert.Equal(new WhoisEndpoint("rwhois.example.test", 4321), table.ResolveEndpoint("rwhois.example.test:4321"));
        Assert.True(table.CanResolve("whois.denic.de"));

        var strict = table.WithRequireExplicitEndpoints(true);
        Assert.False(strict.CanResolve("whois.denic.de"));
        Assert.Throws<InvalidOperationException>(() => strict.ResolveEndpoint("whois.denic.de"));
        Assert.Equal(4301, strict.ResolveEndpoint("whois.verisign-grs.com").Port);
    }

    [Fact]
    public async Task Json_round_trip_and_merge()
    {
        const string Json = """
            {
              // Comments and trailing commas are accepted: the file is edited by hand.
              "servers": { "test": "whois.nic.test", "COM": "whois.local.test" },
              "endpoints": { "whois.local.test": "127.0.0.1:4343", "whois.v6.test": "[::1]:4344" },
            }
            """;
        var loaded = await WhoisServerTable.LoadJsonAsync(new MemoryStream(Encoding.UTF8.GetBytes(Json)), TestContext.Current.CancellationToken);
        var merged = WhoisServerTable.Default.Merge(loaded);

        Assert.Equal("whois.nic.test", merged.FindServerForDomain("x.test"));
        Assert.Equal("whois.local.test", merged.FindServerForDomain("x.com"));
        Assert.Equal("whois.denic.de", merged.FindServerForDomain("x.de"));
        Assert.Equal(new WhoisEndpoint("::1", 4344), merged.ResolveEndpoint("whois.v6.test"));

        using var saved = new MemoryStream();
        await merged.SaveJsonAsync(saved, TestContext.Current.CancellationToken);
        saved.Position = 0;
        var reloaded = await WhoisServerTable.LoadJsonAsync(saved, TestContext.Current.CancellationToken);

        Assert.Equal(merged.Servers.OrderBy(p => p.Key), reloaded.Servers.OrderBy(p => p.Key));
        Assert.Equal(merged.Endpoints.OrderBy(p => p.Key), reloaded.Endpoints.OrderBy(p => p.Key));
    }

    [Theory]
    [InlineData("whois.example.test", "whois.example.test", 43)]
    [InlineData("127.0.0.1:4300", "127.0.0.1", 4300)]
    [InlineData("[::1]:43", "::1", 43)]
    [InlineData("::1", "::1", 43)]
    public void Endpoints_parse(string text, string host, int port) =>
        Assert.Equal(new WhoisEndpoint(host, port), WhoisEndpoint.Parse(text));

    [Theory]
    [InlineData("host:0")]
    [InlineData("host:99999")]
    [InlineData("[::1")]
    public void Bad_endpoints_are_rejected(string text) =>
        Assert.Throws<FormatException>(() => WhoisEndpoint.Parse(text));
}
