using HeavyJobs.Whois.Parsing;

namespace HeavyJobs.Whois.Tests.Parsing;

/// <summary>Keys spelled another way than the map's: the same fields must come out.</summary>
public sealed class WhoisParserKeySpellingTests
{
    [Fact]
    public void Reads_keys_whose_words_are_joined_by_hyphens()
    {
        const string Raw = """
            domain-name: example.xy
            sponsoring-registrar: Example Registrar Ltd
            creation-date: 2001-02-03 04:05:06 (Europe/Berlin)
            registry-expiry-date: 2030-07-03 04:05:06 Europe/Berlin
            name-server-1: ns1.example.net
            name-server-2: ns2.example.net

            Name-Servers:
               ns3.example.net
            """;

        var record = WhoisParser.Parse(Raw);

        Assert.Equal(WhoisStatus.Registered, record.Status);
        Assert.Equal("example.xy", record.Domain);
        Assert.Equal("Example Registrar Ltd", record.Registrar);
        Assert.Equal(new DateTimeOffset(2001, 2, 3, 3, 5, 6, TimeSpan.Zero), record.Created);
        Assert.Equal(new DateTimeOffset(2030, 7, 3, 2, 5, 6, TimeSpan.Zero), record.Expires);
        Assert.Equal(["ns1.example.net", "ns2.example.net", "ns3.example.net"], record.NameServers);
    }
}
