using System.Diagnostics;
using System.Text.Json;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using Npgsql;

namespace HeavyJobs.Fleet.Tests.Fleet;

/// <summary>
/// A machine cut off from the database by the network, not killed: its processes live on in a network namespace
/// of their own whose every packet to and from the database's host is dropped without a word, as a dead switch
/// drops them, and then let through again. Nothing errors on the cut-off side by itself; the server ends its
/// sessions by their keepalives, and with them the machine's name.
/// </summary>
public sealed class PartitionScenarios
{
    private static readonly TimeSpan Within = TimeSpan.FromMinutes(2);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AMachineCutOffByTheNetwork_IsDeclaredDead_ItsChunksRunElsewhere_AndHealedItHoldsItsNameAgain_AndItsIdleWorkersAreWokenForNewWork()
    {
        using var exclusive = await PrivateCluster.Partition.TakeAsync(Ct);
        await using var ns = await NetworkNamespace.CreateAsync("hj-part", subnet: 0, Ct);
        var server = await PrivateCluster.Partition.EnsureAsync(Ct);
        await PrivateCluster.Partition.ListenForAsync(ns, Ct);
        await using var fleet = await FleetRun.CreateAsync("postgres", Ct, server);
        var (a, b) = (fleet.Machine(0), fleet.Machine(1));
        fleet.PlaceIn(a, ns, new NpgsqlConnectionStringBuilder(fleet.Db) { Host = ns.HostAddress }.ToString());
        // Leases far longer than the test: the cut-off machine's chunks come back because it is declared dead.
        fleet.Environment["HeavyJobs__Monitor__Lease"] = "00:05:00";
        fleet.StartManager();
        // Its idle workers are woken only by what its LISTEN session hears: the probe is ten minutes off, and a
        // worker's own poll five.
        fleet.StartMachine(a, reboot: false, "--idle-probe", "600");
        fleet.StartMachine(b);
        Assert.True(await MonitorRun.UntilAsync(async () => (await fleet.Store.NodeListAsync(Ct)).Count == 2, Within, Ct), fleet.Log);

        var first = await SubmitAsync(fleet, chunks: 6, items: 500, sleepMs: 20);
        Assert.Equal(0, (await fleet.CliAsync(Ct, "workers", "scale", "test.count=2", "--node", a)).Exit);
        Assert.True(await MonitorRun.UntilAsync(async () => (await HeldByAsync(fleet, first, a)).Count == 2, Within, Ct), fleet.Log);
        Assert.Equal(0, (await fleet.CliAsync(Ct, "workers", "scale", "test.count=2", "--node", b)).Exit);
        var held = await HeldByAsync(fleet, first, a);

        await ns.CutAsync(Ct);
        var cut = Stopwatch.StartNew();
        Assert.True(await MonitorRun.UntilAsync(async () => (await FleetScenarios.Actions(fleet, ActionKinds.MachineDead)).Any(d => d.Node == a), Within, Ct), fleet.Log);
        var deadAfter = cut.Elapsed;
        // The chunks it held run on the other machine, from their checkpoints, long before their leases end.
        Assert.True(await MonitorRun.UntilAsync(async () => (await ChunksAsync(fleet, first)).Where(c => held.Contains(c.Id)).All(c => c.State == ChunkState.Done), Within, Ct), fleet.Log);
        await ns.HealAsync(Ct);
        var healed = DateTimeOffset.UtcNow;
        TestContext.Current.TestOutputHelper?.WriteLine($"machine {a} cut off: declared dead {deadAfter.TotalSeconds:0.0} s after the cut; its chunks done elsewhere {cut.Elapsed.TotalSeconds:0.0} s after it");

        // Healed, the machine is alive, beats again and holds its name on a session of its own once more: nobody
        // else could take it, and a second monitor of that name is refused.
        Assert.True(await MonitorRun.UntilAsync(async () => (await FleetScenarios.Actions(fleet, ActionKinds.MachineRejoined)).Any(r => r.Node == a && r.At > healed.AddSeconds(-1)), Within, Ct), fleet.Log);
        Assert.True(await MonitorRun.UntilAsync(async () => await fleet.Store.LockHeldAsync("node:" + a, Ct) == true, Within, Ct), $"nobody holds machine {a}'s name\n{fleet.Log}");
        Assert.False(fleet.MonitorOf(a).HasExited, fleet.Log);

        // Only the healed machine runs test.count now; work made after the heal wakes its idle workers.
        Assert.True(await MonitorRun.UntilAsync(async () => (await ChunksAsync(fleet, first)).All(c => c.State == ChunkState.Done), Within, Ct), fleet.Log);
        Assert.Equal(0, (await fleet.CliAsync(Ct, "workers", "scale", "test.count=0", "--node", b)).Exit);
        Assert.True(
            await MonitorRun.UntilAsync(
                async () => (await FleetScenarios.Workers(fleet, b)).Count == 0 && (await FleetScenarios.Workers(fleet, a)).Any(w => w.State == WorkerState.Idle),
                Within,
                Ct),
            fleet.Log);
        var second = await SubmitAsync(fleet, chunks: 2, items: 100, sleepMs: 0);
        Assert.True(
            await MonitorRun.UntilAsync(async () => (await ChunksAsync(fleet, second)).All(c => c.State == ChunkState.Done), Within, Ct),
            $"work made after the heal was not run by machine {a}'s idle workers\n{fleet.Log}");

        await AssertEveryItemOnceAsync(fleet, first, 6 * 500);
        await AssertEveryItemOnceAsync(fleet, second, 2 * 100);
        Assert.All(await ChunksAsync(fleet, first), c => Assert.Equal(0, c.Crashes));
    }

    private static async Task<long> SubmitAsync(FleetRun fleet, int chunks, int items, int sleepMs) =>
        (await fleet.Store.JobInsertAsync(
            new JobInsertParams(
                "test.count",
                [new StageDefinition("main", "test.count", StageMode.Streaming)],
                JsonSerializer.Serialize(new { sleepMs, every = 10 }),
                Enumerable.Range(0, chunks).Select(i => $$"""{"start":{{i * items}},"end":{{(i + 1) * items}}}"""),
                0,
                5,
                TimeProvider.System.GetUtcNow()),
            Ct)).JobId;

    private static async Task<IReadOnlyList<ChunkRow>> ChunksAsync(FleetRun fleet, long job) =>
        await fleet.Store.ChunkListAsync(new ChunkListParams(job), Ct);

    private static async Task<HashSet<long>> HeldByAsync(FleetRun fleet, long job, string node)
    {
        var workers = (await FleetScenarios.Workers(fleet, node)).Select(w => w.Id).ToHashSet();
        return (await ChunksAsync(fleet, job)).Where(c => c.State == ChunkState.Running && c.LeaseOwner is { } owner && workers.Contains(owner)).Select(c => c.Id).ToHashSet();
    }

    private static async Task AssertEveryItemOnceAsync(FleetRun fleet, long job, int items)
    {
        var keys = (await fleet.Store.OutputListAsync(new OutputListParams(job, Limit: 1_000_000), Ct)).Select(o => o.Key).ToList();
        Assert.Equal(items, keys.Count);
        Assert.Equal(Enumerable.Range(0, items).Select(i => $"item-{i}").Order(StringComparer.Ordinal), keys.Order(StringComparer.Ordinal));
    }
}
