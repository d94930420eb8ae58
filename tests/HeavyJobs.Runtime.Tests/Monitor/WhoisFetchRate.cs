using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Whois.Pipeline;
using HeavyJobs.Whois.Server;

namespace HeavyJobs.Runtime.Tests.Monitor;

/// <summary>
/// Issue 17's case for the fetch rate, measured rather than tested (scripts/whois-fetch-rate.sh runs it; the
/// suite skips it): 1,000 domains, servers answering in 300 ms, 100 queries/s and 8 at once per server, 4
/// fetch workers. It prints the fetch stage's domains per second and its ratio to the best rate the limits
/// allow for this domain mix.
/// </summary>
public sealed class WhoisFetchRate() : ProcessScenario("sqlite")
{
    private const double Rate = 100;
    private const int AtOnce = 8;
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task FetchRate_OfTheIssuesCase()
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable("HEAVYJOBS_FETCH_RATE") == "1", "a measurement: scripts/whois-fetch-rate.sh runs it");
        var domainCount = int.Parse(Environment.GetEnvironmentVariable("HEAVYJOBS_FETCH_DOMAINS") ?? "1000", CultureInfo.InvariantCulture);
        var fetchers = int.Parse(Environment.GetEnvironmentVariable("HEAVYJOBS_FETCH_WORKERS") ?? "4", CultureInfo.InvariantCulture);
        var population = new SyntheticPopulation(seed: 1, size: domainCount);
        await using var server = new LocalWhoisServer(population, new LocalWhoisServerOptions { Faults = new WhoisFaultOptions { Latency = Latency } });
        await server.StartAsync(Ct);
        var domains = Enumerable.Range(0, domainCount).Select(i => population.Domain(i)).ToList();
        using var table = new MemoryStream();
        await server.ServerTable.SaveJsonAsync(table, Ct);
        var job = (await Store.JobInsertAsync(
            new JobInsertParams(
                "whois fetch rate",
                [
                    new StageDefinition("fetch", WhoisPipeline.Fetch, StageMode.Streaming),
                    new StageDefinition("parse", WhoisPipeline.Parse, StageMode.Streaming),
                ],
                JsonSerializer.Serialize(new { serverTable = JsonDocument.Parse(table.ToArray()).RootElement, ratePerServer = Rate, concurrencyPerServer = AtOnce, every = 10 }),
                domains.Chunk(50).Select(keys => JsonSerializer.Serialize(new { keys })),
                0,
                5,
                TimeProvider.System.GetUtcNow()),
            Ct)).JobId;

        Run.Start();
        Run.StartManager();
        await Run.CliAsync(Ct, "workers", "scale", $"{WhoisPipeline.Parse}=1", "--node", Run.Node);
        var clock = Stopwatch.StartNew();
        await Run.CliAsync(Ct, "workers", "scale", $"{WhoisPipeline.Fetch}={fetchers}", "--node", Run.Node);
        Assert.True(await MonitorRun.UntilAsync(async () => (await Store.ChunkListAsync(new ChunkListParams(job), Ct)).Where(c => c.Stage == 0).All(c => c.State == ChunkState.Done), TimeSpan.FromMinutes(10), Ct), Run.Log);
        var seconds = clock.Elapsed.TotalSeconds;

        // The best the limits allow: each server answers at most min(rate, at-once / latency) queries a second,
        // and this mix asks it for its share of them per domain (referrals included).
        var perServer = Math.Min(Rate, AtOnce / Latency.TotalSeconds);
        var allowance = server.RequestCounts.Where(c => c.Value > 0).Min(c => perServer * domainCount / c.Value);
        var busiest = server.RequestCounts.MaxBy(c => c.Value);
        var rate = domainCount / seconds;
        var line = string.Create(CultureInfo.InvariantCulture, $"fetch stage: {domainCount} domains in {seconds:0.0} s with {fetchers} fetchers = {rate:0.0} domains/s; allowance {allowance:0.0}/s (busiest {busiest.Key}: {busiest.Value} queries); ratio {rate / allowance:0.00}");
        Console.WriteLine(line);
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        Assert.Equal(domainCount, (await Store.OutputListAsync(new OutputListParams(job, Stage: 0, Limit: 100_000), Ct)).Count);
    }
}
