using System.Text.Json;
using HeavyJobs.Core.Model;
using HeavyJobs.Whois.Pipeline;
using HeavyJobs.Whois.Server;

namespace HeavyJobs.Testing.Tests.Handlers;

/// <summary>
/// The pilot's real parser through the harness, reading the raw answers its fetch chunk committed (synthetic
/// registry answers, a few failed fetches): one record per domain, committed once, whatever stops or kills it.
/// </summary>
public sealed class WhoisParseHandlerTests
{
    private const int Domains = 40;
    private const long FetchChunk = 5;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static HandlerHarness Harness()
    {
        var at = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
        var population = new SyntheticPopulation(seed: 7, size: Domains);
        var fetched = new List<ChunkOutput>();
        var harness = HandlerHarness.For<ParseHandler>().WithChunk(jobId: 1, chunkId: 50, stage: 1, type: WhoisPipeline.Parse);
        for (var i = 0; i < Domains; i++)
        {
            var domain = population.Describe(i);
            fetched.Add(new ChunkOutput(domain.Name, i % 10 == 9
                ? JsonSerializer.Serialize(new { domain = domain.Name, error = "fetch failed: Connection: connection reset by peer" })
                : JsonSerializer.Serialize(new { domain = domain.Name, server = domain.Tld.RegistryServer, raw = FetchHandler.Compress(WhoisTemplates.RenderRegistryAnswer(domain, at)) })));
            harness.WithKey(domain.Name);
        }

        return harness
            .WithInput(new { fetchChunk = FetchChunk, domains = fetched.Select(f => f.Key) })
            .WithOutputs(FetchChunk, stage: 0, fetched);
    }

    [Fact]
    public async Task ACleanRun_CommitsOneRecordPerDomain_AndMarksTheGoodOnesFresh()
    {
        var result = await Harness().RunAsync(Ct);

        Assert.Equal(Domains, result.Outputs.Select(o => o.Key).Distinct().Count());
        Assert.Equal(Domains, result.Outputs.Count);
        Assert.Equal(new ChunkCounters(Domains, Domains - 4, 4), result.Counters);
        Assert.Equal(Domains - 4, result.KeySet.Count(k => k.RefreshedAt is not null));
        Assert.All(result.KeySet.Where(k => k.RefreshedAt is not null), k => Assert.Contains(k.Key, k.Latest, StringComparison.Ordinal));
    }

    [Fact]
    public async Task KilledBeforeItsCheckpoint_ItParsesAgain_AndCommitsEachRecordOnce()
    {
        var result = await Harness().KillAfterCheckpoint(0).RunAsync(Ct);

        Assert.Equal(Domains, result.Runs[0].Discarded.Outputs.Count);
        Assert.Equal(Domains, result.Outputs.Count);
        Assert.Empty(result.DuplicateOutputs);
        Assert.Equal(new ChunkCounters(Domains, Domains - 4, 4), result.Counters);
    }

    [Fact]
    public async Task KilledAfterItsCheckpoint_BeforeItsCompletion_ItCommitsNothingTwice()
    {
        var result = await Harness().KillAfterCheckpoint(1).RunAsync(Ct);

        Assert.Equal([RunEnding.Killed, RunEnding.Completed], result.Runs.Select(r => r.Ending));
        Assert.Empty(result.DuplicateOutputs);
        Assert.Equal(new ChunkCounters(Domains, Domains - 4, 4), result.Counters);
    }

    [Fact]
    public async Task StoppedAtItsCheckpoint_ItReturns_AndTheRunAfterCommitsNothingTwice()
    {
        var result = await Harness().StopAtCheckpoint(1).RunAsync(Ct);

        Assert.Equal([RunEnding.ReturnedAfterStop, RunEnding.Completed], result.Runs.Select(r => r.Ending));
        Assert.Empty(result.DuplicateOutputs);
        Assert.Equal(Domains, result.Outputs.Count);
    }
}
