using System.Text.Json;
using HeavyJobs.Whois.Parsing;
using HeavyJobs.Whois.Pipeline;

namespace HeavyJobs.Whois.Tests.Pipeline;

public sealed class ParseHandlerTests
{
    [Fact]
    public void An_answer_that_never_names_the_domain_is_good_and_named_by_the_query()
    {
        var fetched = JsonSerializer.Serialize(new { raw = FetchHandler.Compress("Registered By:\n\tExample Services\n\nEntry created:\n\tMonday 16th October 2000\n") });

        var record = ParseHandler.Parse("Example.AC.UK", fetched);

        Assert.Equal(WhoisStatus.Registered, record.Status);
        Assert.Null(record.Error);
        Assert.Equal("example.ac.uk", record.Domain);
        Assert.Equal("Example Services", record.Registrar);
    }

    [Fact]
    public void A_fetch_error_stays_bad_with_its_domain()
    {
        var record = ParseHandler.Parse("example.test", """{"error":"timeout"}""");

        Assert.Equal(WhoisStatus.Bad, record.Status);
        Assert.Equal("timeout", record.Error);
        Assert.Equal("example.test", record.Domain);
    }
}
