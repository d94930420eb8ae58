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

    private static HandlerHarness Harness(Func<List<ChunkOutput>, IEnumerable<ChunkOutput>>? later = null)
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

        return HandlerHarness.For<AggregateHandler>()
            .WithChunk(jobId: 1, chunkId: 90, stage: 2, type: WhoisPipeline.Aggregate)
            .WithOutputs(chunkId: 60, stage: 1, records.Take(Domains / 2))
            .WithOutputs(chunkId: 61, stage: 1, records.Skip(Domains / 2))
            .WithOutputs(chunkId: 62, stage: 1, later?.Invoke(records) ?? []);
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
    public async Task ADomainParsedTwice_CountsOnce_ByItsLaterRecord()
    {
        // Ten registered domains parsed again later (a retried chunk): their registrar is now another one.
        var result = await Harness(records => records.Where(r => JsonNode.Parse(r.Data)!["status"]!.GetValue<string>() == "registered").Take(10).Select(r =>
        {
            var json = JsonNode.Parse(r.Data)!.AsObject();
            json["registrar"] = "Later Registrar";
            return r with { Data = json.ToJsonString() };
        })).RunAsync(Ct);

        var registered = (await Harness().RunAsync(Ct)).Outputs.Where(o => o.Key.StartsWith("registrar|", StringComparison.Ordinal)).Sum(o => long.Parse(o.Data, CultureInfo.InvariantCulture));
        Assert.Equal(Domains, Count(result, $"{AggregateHandler.Summary}|domains"));
        Assert.Equal(10, Count(result, "registrar|Later Registrar"));
        Assert.Equal(registered, result.Outputs.Where(o => o.Key.StartsWith("registrar|", StringComparison.Ordinal)).Sum(o => long.Parse(o.Data, CultureInfo.InvariantCulture)));
        Assert.Equal(Domains, result.Counters.Done);
    }
}
