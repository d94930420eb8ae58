using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Workers;
using HeavyJobs.Whois.Pipeline;
using HeavyJobs.Whois.Server;

namespace HeavyJobs.Runtime.Tests.Fleet;

/// <summary>
/// The WHOIS pipeline on three machines, one of which is SIGKILLed whole mid-run and never returns. The suite runs
/// it on 2,000 domains; <c>scripts/fleet-whois.sh</c> runs it on 20,000 or more (HEAVYJOBS_FLEET_DOMAINS).
/// </summary>
public sealed class FleetWhoisScenarios
{
    private static readonly TimeSpan Within = TimeSpan.FromMinutes(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static int Domains =>
        Environment.GetEnvironmentVariable("HEAVYJOBS_FLEET_DOMAINS") is { Length: > 0 } n ? int.Parse(n, CultureInfo.InvariantCulture) : 2000;

    [Fact]
    public async Task AMachineKilledWhole_IsDeclaredDead_ItsChunksRunElsewhereWithoutWaitingForLeases_AndEveryDomainCountsOnce()
    {
        var domains = Domains;
        await using var fleet = await FleetRun.CreateAsync("postgres", Ct);
        // Leases far longer than the test waits: if the dead machine's chunks came back, it was not by lease expiry.
        fleet.Environment["HeavyJobs__Monitor__Lease"] = "00:05:00";
        var (a, b, c) = (fleet.Machine(0), fleet.Machine(1), fleet.Machine(2));
        fleet.StartManager();
        foreach (var m in new[] { a, b, c })
        {
            fleet.StartMachine(m);
        }

        var population = new SyntheticPopulation(seed: 5, size: domains);
        await using var server = new LocalWhoisServer(population, new LocalWhoisServerOptions { BasePort = 0 });
        await server.StartAsync(Ct);
        Assert.True(await MonitorRun.UntilAsync(async () => (await fleet.Store.NodeListAsync(Ct)).Count == 3, TimeSpan.FromSeconds(90), Ct), fleet.Log);
        Assert.Equal(0, (await fleet.CliAsync(Ct, "workers", "scale", $"{WhoisPipeline.Fetch}=6", $"{WhoisPipeline.Parse}=3", "--fleet")).Exit);
        Assert.Equal(0, (await fleet.CliAsync(Ct, "workers", "scale", $"{WhoisPipeline.Aggregate}=1", "--node", a)).Exit);
        var job = await SubmitAsync(fleet, population, server, domains);

        // Kill machine c whole once the refresh is well under way and c holds work.
        Assert.True(
            await MonitorRun.UntilAsync(async () => await FetchDoneAsync(fleet, job) >= domains / 4 && (await HeldByAsync(fleet, c)).Count > 0, Within, Ct),
            fleet.Log);
        var cWorkers = (await FleetScenarios.Workers(fleet, c)).Select(w => w.Id).ToHashSet();
        await fleet.KillMachineAsync(c);
        var killed = Stopwatch.StartNew();
        var held = await HeldByAsync(fleet, c);

        // Its chunks run elsewhere within seconds, far inside the five-minute lease.
        Assert.True(await MonitorRun.UntilAsync(async () => (await HeldByAsync(fleet, c)).Count == 0, TimeSpan.FromSeconds(60), Ct), fleet.Log);
        var freed = killed.Elapsed;
        var dead = Assert.Single(await FleetScenarios.Actions(fleet, ActionKinds.MachineDead));
        Assert.Equal(c, dead.Node);
        Assert.All(await FleetScenarios.Workers(fleet, c), w => Assert.Equal(WorkerState.Lost, w.State));
        // The fleet target is spread over the two machines left.
        await FleetScenarios.ConvergesAsync(fleet, (a, 3 + 2 + 1), (b, 3 + 1));

        Assert.True(await MonitorRun.UntilAsync(async () => (await fleet.Store.JobGetAsync(job, Ct))!.State != JobState.Active, Within, Ct), fleet.Log);
        Assert.Equal(JobState.Completed, (await fleet.Store.JobGetAsync(job, Ct))!.State);

        var fetched = await fleet.Store.OutputListAsync(new OutputListParams(job, Stage: 0, Limit: 1_000_000), Ct);
        var parsed = await fleet.Store.OutputListAsync(new OutputListParams(job, Stage: 1, Limit: 1_000_000), Ct);
        Assert.Equal(domains, fetched.Count);
        Assert.Equal(domains, fetched.Select(o => o.Key).Distinct().Count());
        Assert.Equal(domains, parsed.Count);
        var aggregates = (await fleet.Store.OutputListAsync(new OutputListParams(job, Stage: 2), Ct)).ToDictionary(o => o.Key, o => long.Parse(o.Data, CultureInfo.InvariantCulture));
        Assert.Equal(domains, aggregates["summary|domains"]);
        Assert.Equal(domains, aggregates.Where(x => x.Key.StartsWith("tld|", StringComparison.Ordinal)).Sum(x => x.Value));

        // No chunk was charged a death for the machine: not those it had claimed ahead, not the ones it had started.
        var chunks = await fleet.Store.ChunkListAsync(new ChunkListParams(job, Limit: 1_000_000), Ct);
        Assert.All(chunks.Where(x => held.Contains(x.Id)), x => Assert.Equal(0, x.Crashes));
        Assert.DoesNotContain(chunks, x => x.State == ChunkState.Quarantined);
        Assert.Contains(chunks, x => x.Holders.Any(cWorkers.Contains));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{domains} domains on 3 machines; machine {c} killed holding {held.Count} chunks: all running elsewhere {freed.TotalSeconds:0.0} s later ({dead.Reason})");
    }

    private static async Task<IReadOnlyList<long>> HeldByAsync(FleetRun fleet, string node)
    {
        var workers = (await fleet.Store.WorkerListAsync(new WorkerListParams(node, IncludeExited: true), Ct)).Select(w => w.Id).ToHashSet();
        var running = await fleet.Store.ChunkListAsync(new ChunkListParams(null, State: ChunkState.Running, Limit: 100_000), Ct);
        return running.Where(x => x.LeaseOwner is { } o && workers.Contains(o)).Select(x => x.Id).ToList();
    }

    private static async Task<long> FetchDoneAsync(FleetRun fleet, long job) =>
        (await fleet.Store.ChunkListAsync(new ChunkListParams(job, Limit: 1_000_000), Ct)).Where(x => x.Stage == 0).Sum(x => x.Counters.Done);

    private static async Task<long> SubmitAsync(FleetRun fleet, SyntheticPopulation population, LocalWhoisServer server, int domains)
    {
        using var table = new MemoryStream();
        await server.ServerTable.SaveJsonAsync(table, Ct);
        var keys = Enumerable.Range(0, domains).Select(i => population.Domain(i)).ToList();
        var inserted = await fleet.Store.JobInsertAsync(
            new JobInsertParams(
                "whois refresh on a fleet",
                [
                    new StageDefinition("fetch", WhoisPipeline.Fetch, StageMode.Streaming),
                    new StageDefinition("parse", WhoisPipeline.Parse, StageMode.Streaming),
                    new StageDefinition("aggregate", WhoisPipeline.Aggregate, StageMode.Barrier),
                ],
                JsonSerializer.Serialize(new { serverTable = JsonDocument.Parse(table.ToArray()).RootElement, ratePerServer = 2000, concurrencyPerServer = 16, every = 10 }),
                keys.Chunk(25).Select(k => JsonSerializer.Serialize(new { keys = k })),
                0,
                5,
                TimeProvider.System.GetUtcNow()),
            Ct);
        return inserted.JobId;
    }
}
