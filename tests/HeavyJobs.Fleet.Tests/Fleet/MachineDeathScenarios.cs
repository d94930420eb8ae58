using System.Diagnostics;
using System.Text.Json;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Workers;

namespace HeavyJobs.Fleet.Tests.Fleet;

/// <summary>
/// Three machines burn one job; one of them is SIGKILLed whole (its monitor and every worker at once) mid-run
/// and never returns. The answer is known independently: items 0..N-1, each written once.
/// </summary>
public sealed class MachineDeathScenarios
{
    private const int Items = 6_000;
    private const int PerChunk = 200;
    private static readonly TimeSpan Within = TimeSpan.FromMinutes(5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AMachineKilledWhole_IsDeclaredDead_ItsChunksRunElsewhereWithoutWaitingForLeases_AndEveryItemCountsOnce()
    {
        await using var fleet = await FleetRun.CreateAsync("postgres", Ct);
        // Leases far longer than the test waits: if the dead machine's chunks came back, it was not by lease expiry.
        fleet.Environment["HeavyJobs__Monitor__Lease"] = "00:05:00";
        var (a, b, c) = (fleet.Machine(0), fleet.Machine(1), fleet.Machine(2));
        fleet.StartManager();
        foreach (var m in new[] { a, b, c })
        {
            fleet.StartMachine(m);
        }

        Assert.True(await MonitorRun.UntilAsync(async () => (await fleet.Store.NodeListAsync(Ct)).Count == 3, Within, Ct), fleet.Log);
        Assert.Equal(0, (await fleet.CliAsync(Ct, "workers", "scale", "test.count=6", "--fleet")).Exit);
        var job = (await fleet.Store.JobInsertAsync(
            new JobInsertParams(
                "count on a fleet",
                [new StageDefinition("main", "test.count", StageMode.Streaming)],
                JsonSerializer.Serialize(new { sleepMs = 20, every = 20 }),
                Enumerable.Range(0, Items / PerChunk).Select(i => $$"""{"start":{{i * PerChunk}},"end":{{(i + 1) * PerChunk}}}"""),
                0,
                5,
                TimeProvider.System.GetUtcNow()),
            Ct)).JobId;

        // Kill machine c whole once the job is under way and c holds work.
        Assert.True(await MonitorRun.UntilAsync(async () => await DoneAsync(fleet, job) >= Items / 5 && (await HeldByAsync(fleet, c)).Count > 0, Within, Ct), fleet.Log);
        var cWorkers = (await FleetScenarios.Workers(fleet, c)).Select(w => w.Id).ToHashSet();
        await fleet.KillMachineAsync(c);
        var killed = Stopwatch.StartNew();
        var held = await HeldByAsync(fleet, c);
        // Chunks last about 4 s each, so the machine dies holding work (a worker that finished one claims the next).
        Assert.NotEmpty(held);

        // Its chunks are free within seconds, far inside the five-minute lease.
        Assert.True(await MonitorRun.UntilAsync(async () => (await HeldByAsync(fleet, c)).Count == 0, TimeSpan.FromSeconds(90), Ct), fleet.Log);
        var freed = killed.Elapsed;
        Assert.True(await MonitorRun.UntilAsync(async () => (await FleetScenarios.Actions(fleet, ActionKinds.MachineDead)).Count > 0, TimeSpan.FromSeconds(90), Ct), fleet.Log);
        var dead = Assert.Single(await FleetScenarios.Actions(fleet, ActionKinds.MachineDead));
        Assert.Equal(c, dead.Node);
        Assert.All(await FleetScenarios.Workers(fleet, c), w => Assert.Equal(WorkerState.Lost, w.State));
        // The fleet target is spread over the two machines left.
        await FleetScenarios.ConvergesAsync(fleet, (a, 3), (b, 3));

        Assert.True(await MonitorRun.UntilAsync(async () => (await fleet.Store.JobGetAsync(job, Ct))!.State != JobState.Active, Within, Ct), fleet.Log);
        Assert.Equal(JobState.Completed, (await fleet.Store.JobGetAsync(job, Ct))!.State);
        var keys = (await fleet.Store.OutputListAsync(new OutputListParams(job, Limit: 1_000_000), Ct)).Select(o => o.Key).ToList();
        Assert.Equal(Items, keys.Count);
        Assert.Equal(Enumerable.Range(0, Items).Select(i => $"item-{i}").Order(StringComparer.Ordinal), keys.Order(StringComparer.Ordinal));

        // No chunk was charged a death for the machine: not those it had claimed ahead, not the ones it had started.
        var chunks = await fleet.Store.ChunkListAsync(new ChunkListParams(job, Limit: 100_000), Ct);
        Assert.All(chunks.Where(x => held.Contains(x.Id)), x => Assert.Equal(0, x.Crashes));
        Assert.DoesNotContain(chunks, x => x.State == ChunkState.Quarantined);
        Assert.Contains(chunks, x => x.Holders.Any(cWorkers.Contains));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"machine {c} killed holding {held.Count} chunks: all free {freed.TotalSeconds:0.0} s later ({dead.Reason})");
    }

    private static async Task<IReadOnlyList<long>> HeldByAsync(FleetRun fleet, string node)
    {
        var workers = (await fleet.Store.WorkerListAsync(new WorkerListParams(node, IncludeExited: true), Ct)).Select(w => w.Id).ToHashSet();
        var running = await fleet.Store.ChunkListAsync(new ChunkListParams(null, State: ChunkState.Running, Limit: 100_000), Ct);
        return running.Where(x => x.LeaseOwner is { } o && workers.Contains(o)).Select(x => x.Id).ToList();
    }

    private static async Task<long> DoneAsync(FleetRun fleet, long job) =>
        (await fleet.Store.ChunkListAsync(new ChunkListParams(job, Limit: 100_000), Ct)).Sum(x => x.Counters.Done);
}
