using System.Text;
using System.Text.Json;
using HeavyJobs.Whois.Parsing;

namespace HeavyJobs.Whois.Tests.Parsing;

public sealed class WhoisRecordJsonTests
{
    private static readonly string[] _keys =
    [
        "file", "status", "domain", "registrar", "created", "updated", "expires",
        "nameServers", "statuses", "registrantOrganization", "registrantCountry", "error",
    ];

    private static readonly WhoisRecord _registered = new()
    {
        Status = WhoisStatus.Registered,
        Domain = "example.com",
        Registrar = "Example Registrar, LLC",
        Created = new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.Zero),
        Updated = new DateTimeOffset(2021, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)),
        Expires = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero).AddMilliseconds(250),
        NameServers = ["ns1.example.net", "ns2.example.net"],
        Statuses = ["clientTransferProhibited"],
        RegistrantOrganization = "Example 株式会社",
        RegistrantCountry = "JP",
    };

    [Fact]
    public void A_registered_record_has_exactly_the_documented_keys_and_values()
    {
        using var document = JsonDocument.Parse(WhoisRecordJson.ToJson([("registered/com_example.com", _registered)]));
        var item = Assert.Single(document.RootElement.EnumerateArray());

        Assert.Equal(_keys, item.EnumerateObject().Select(p => p.Name));
        Assert.Equal("registered/com_example.com", item.GetProperty("file").GetString());
        Assert.Equal("registered", item.GetProperty("status").GetString());
        Assert.Equal("example.com", item.GetProperty("domain").GetString());
        Assert.Equal("Example Registrar, LLC", item.GetProperty("registrar").GetString());
        Assert.Equal("2020-01-02T03:04:05Z", item.GetProperty("created").GetString());
        Assert.Equal("2021-01-02T01:04:05Z", item.GetProperty("updated").GetString());
        Assert.Equal("2030-01-02T03:04:05.25Z", item.GetProperty("expires").GetString());
        Assert.Equal(["ns1.example.net", "ns2.example.net"], item.GetProperty("nameServers").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["clientTransferProhibited"], item.GetProperty("statuses").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("Example 株式会社", item.GetProperty("registrantOrganization").GetString());
        Assert.Equal("JP", item.GetProperty("registrantCountry").GetString());
        Assert.Equal(JsonValueKind.Null, item.GetProperty("error").ValueKind);
    }

    [Fact]
    public void Bad_and_not_found_records_write_their_status_error_and_nulls()
    {
        var json = WhoisRecordJson.ToJson(
        [
            ("a", WhoisRecord.Bad("truncated", "example.org")),
            ("b", WhoisRecord.NotFound("free.example")),
        ]);
        using var document = JsonDocument.Parse(json);
        var items = document.RootElement.EnumerateArray().ToArray();

        Assert.Equal(2, items.Length);
        Assert.All(items, item => Assert.Equal(_keys, item.EnumerateObject().Select(p => p.Name)));
        Assert.Equal("bad", items[0].GetProperty("status").GetString());
        Assert.Equal("truncated", items[0].GetProperty("error").GetString());
        Assert.Equal("not-found", items[1].GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, items[1].GetProperty("error").ValueKind);
        foreach (var key in (string[])["registrar", "created", "updated", "expires", "registrantOrganization", "registrantCountry"])
        {
            Assert.Equal(JsonValueKind.Null, items[0].GetProperty(key).ValueKind);
        }

        Assert.Equal(0, items[1].GetProperty("nameServers").GetArrayLength());
    }

    [Fact]
    public void Writes_to_a_stream_and_to_a_writer()
    {
        using var stream = new MemoryStream();
        WhoisRecordJson.WriteArray(stream, [("x", _registered)], indented: true);
        var fromStream = Encoding.UTF8.GetString(stream.ToArray());

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WhoisRecordJson.WriteRecord(writer, "x", _registered);
        }

        using var array = JsonDocument.Parse(fromStream);
        using var single = JsonDocument.Parse(buffer.ToArray());
        Assert.Equal(JsonValueKind.Array, array.RootElement.ValueKind);
        Assert.Equal(
            array.RootElement[0].GetProperty("expires").GetString(),
            single.RootElement.GetProperty("expires").GetString());
    }
}
