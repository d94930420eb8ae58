using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HeavyJobs.Core.Model;
using HeavyJobs.Whois.Parsing;
using HeavyJobs.Whois.Pipeline;
using HeavyJobs.Whois.Server;

namespace HeavyJobs.Testing.Tests.Handlers;

/// <summary>The pilot's real aggregator over the records its parse stage committed: every count once, whatever stops or kills it.</summary>
public sealed class WhoisAggregateHandlerTests
{
    private const int Domains = 60;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static HandlerHarness Harness()
    {
        var records = Records();
        return HandlerHarness.For<AggregateHandler>()
            .WithChunk(jobId: 1, chunkId: 90, stage: 2, type: WhoisPipeline.Aggregate)
            .WithOutputs(chunkId: 60, stage: 1, records.Take(Domains / 2))
            .WithOutputs(chunkId: 61, stage: 1, records.Skip(Domains / 2));
    }

    /// <summary>The parse stage's record of each domain of a seeded population, as the real parser reads its registry answer.</summary>
    private static List<ChunkOutput> Records()
    {
        var at = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
        var population = new SyntheticPopulation(seed: 3, size: Domains);
        var records = new List<ChunkOutput>();
        for (var i = 0; i < Domains; i++)
        {
            var domain = population.Describe(i);
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                WhoisRecordJson.WriteRecord(writer, domain.Name, WhoisParser.Parse(WhoisTemplates.RenderRegistryAnswer(domain, at), domain.Name));
            }

            records.Add(new ChunkOutput(domain.Name, Encoding.UTF8.GetString(buffer.ToArray())));
        }

        return records;
    }

    private static long Count(HandlerResult result, string key) =>
        result.Outputs.Where(o => o.Key == key).Sum(o => long.Parse(o.Data, CultureInfo.InvariantCulture));

    [Fact]
    public async Task ACleanRun_CountsEveryDomainOnce()
    {
        var result = await Harness().RunAsync(Ct);

        Assert.Equal(Domains, Count(result, $"{AggregateHandler.Summary}|domains"));
        Assert.Empty(result.DuplicateOutputs);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RunAgainAfterItsCheckpoint_ItCountsNothingTwice(bool stopped)
    {
        var harness = stopped ? Harness().StopAtCheckpoint(1) : Harness().KillAfterCheckpoint(1);

        var result = await harness.RunAsync(Ct);

        Assert.Equal(2, result.Runs.Count);
        Assert.Equal(Domains, Count(result, $"{AggregateHandler.Summary}|domains"));
        Assert.Equal(Domains, result.Counters.Done);
    }

    [Fact]
    public async Task InAKeySetRefresh_KeysThisJobDidNotMark_AreCarriedOverByTheirLatestRecord()
    {
        // The set: 60 domains. This job parsed the first 40 (its parse stage marked them: 36 fresh, 4 attempted, as
        // bad answers are); of the 20 it did not take, 12 carry an earlier refresh's record and 8 were never fetched.
        var full = await Harness().RunAsync(Ct);
        var parsed = Records().Take(40).ToList();
        var harness = HandlerHarness.For<AggregateHandler>()
            .WithChunk(jobId: 1, chunkId: 90, stage: 2, type: WhoisPipeline.Aggregate)
            .WithOutputs(chunkId: 60, stage: 1, parsed);
        var earlier = new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
        foreach (var (record, i) in Records().Select((r, i) => (r, i)))
        {
            harness.WithKey(record.Key, i is >= 40 and < 52 ? earlier : null, i is >= 40 and < 52 ? record.Data : null, markedByThisJob: i < 40);
        }

        var result = await harness.RunAsync(Ct);

        Assert.Equal(Domains, Count(result, $"{AggregateHandler.Summary}|domains"));
        Assert.Equal(20, Count(result, $"{AggregateHandler.Summary}|carried-over"));
        Assert.Equal(8, Count(result, $"{AggregateHandler.Summary}|never-fetched"));
        Assert.Equal(Domains, result.Counters.Done);
        // The 52 with a record count as the whole run of all 60 records does, less the 8 never fetched.
        var registered = Records().Take(52).Count(r => JsonNode.Parse(r.Data)!["status"]!.GetValue<string>() == "registered");
        Assert.Equal(registered, Count(result, $"{AggregateHandler.Summary}|registered"));
        Assert.True(registered < Count(full, $"{AggregateHandler.Summary}|registered"), "the never-fetched eight should include a registered domain (seeded population)");
    }

    [Fact]
    public async Task WithoutAKeySet_NothingIsCarriedOver()
    {
        var result = await Harness().RunAsync(Ct);

        Assert.Equal(0, Count(result, $"{AggregateHandler.Summary}|carried-over"));
        Assert.Equal(0, Count(result, $"{AggregateHandler.Summary}|never-fetched"));
    }
}
