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
/// A two-stage pipeline on two machines; one machine loses every HeavyJobs process at once (SIGKILL) and comes
/// back as its unit would start it after a reboot: the same name, a new boot id. Leases and the machine-dead
/// window are far longer than the test waits, so only the rebooted monitor can have freed the old chunks.
/// </summary>
public sealed class RebootScenarios
{
    private const int Items = 3_000;
    private const int PerChunk = 150;
    private static readonly TimeSpan Within = TimeSpan.FromMinutes(4);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AMachineKilledWholeAndRestartedWithANewBootId_FreesItsChunksAtOnce_LogsOneReboot_AndThePipelineCountsEveryItemOnce()
    {
        await using var fleet = await FleetRun.CreateAsync("postgres", Ct);
        fleet.Environment["HeavyJobs__Monitor__Lease"] = "00:10:00";
        // 2 s beats × 300: the manager would declare the machine dead only after ten minutes.
        fleet.Environment["HeavyJobs__Manager__MissedBeats"] = "300";
        var (a, b) = (fleet.Machine(0), fleet.Machine(1));
        fleet.StartManager();
        fleet.StartMachine(a);
        fleet.StartMachine(b);
        Assert.True(await MonitorRun.UntilAsync(async () => (await fleet.Store.NodeListAsync(Ct)).Count == 2, Within, Ct), fleet.Log);
        foreach (var m in new[] { a, b })
        {
            Assert.Equal(0, (await fleet.CliAsync(Ct, "workers", "scale", "test.relay=2", "test.count=2", "--node", m)).Exit);
        }

        var job = (await fleet.Store.JobInsertAsync(
            new JobInsertParams(
                "relay and count",
                [new StageDefinition("relay", "test.relay", StageMode.Streaming), new StageDefinition("count", "test.count", StageMode.Streaming)],
                JsonSerializer.Serialize(new { sleepMs = 20, every = 30 }),
                Enumerable.Range(0, Items / PerChunk).Select(i => $$"""{"start":{{i * PerChunk}},"end":{{(i + 1) * PerChunk}}}"""),
                0,
                5,
                TimeProvider.System.GetUtcNow()),
            Ct)).JobId;

        Assert.True(await MonitorRun.UntilAsync(async () => await DoneAsync(fleet, job) >= Items / 4 && (await HeldByAsync(fleet, await WorkerIdsAsync(fleet, b))).Count > 0, Within, Ct), fleet.Log);
        var old = await WorkerIdsAsync(fleet, b);
        await fleet.KillMachineAsync(b);
        var killed = Stopwatch.StartNew();
        var held = await HeldByAsync(fleet, old);
        Assert.NotEmpty(held);

        // As the unit would after the reboot: the monitor again, under the same name, with the kernel's new boot id.
        fleet.StartMachine(b, reboot: true);
        // The old workers' leases run for ten minutes more: what frees their chunks within seconds is the new boot id.
        Assert.True(await MonitorRun.UntilAsync(async () => (await HeldByAsync(fleet, old)).Count == 0, TimeSpan.FromMinutes(3), Ct), fleet.Log);
        var freed = killed.Elapsed;
        var rebooted = Assert.Single(await FleetScenarios.Actions(fleet, ActionKinds.MachineRebooted));
        Assert.Equal(b, rebooted.Node);
        Assert.Empty(await FleetScenarios.Actions(fleet, ActionKinds.MachineDead));
        await FleetScenarios.ConvergesAsync(fleet, (a, 4), (b, 4));

        Assert.True(await MonitorRun.UntilAsync(async () => (await fleet.Store.JobGetAsync(job, Ct))!.State != JobState.Active, Within, Ct), fleet.Log);
        Assert.Equal(JobState.Completed, (await fleet.Store.JobGetAsync(job, Ct))!.State);
        var keys = (await fleet.Store.OutputListAsync(new OutputListParams(job, Limit: 1_000_000), Ct)).Select(o => o.Key).ToList();
        var expected = Enumerable.Range(0, Items).SelectMany(i => new[] { $"seen-{i}", $"item-{i}" });
        Assert.Equal(expected.Order(StringComparer.Ordinal), keys.Order(StringComparer.Ordinal));
        Assert.Single(await FleetScenarios.Actions(fleet, ActionKinds.MachineRebooted));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"machine {b} killed holding {held.Count} chunks and restarted with a new boot id: all free {freed.TotalSeconds:0.0} s after the kill ({rebooted.Reason})");
    }

    private static async Task<HashSet<long>> WorkerIdsAsync(FleetRun fleet, string node) =>
        (await fleet.Store.WorkerListAsync(new WorkerListParams(node, IncludeExited: true), Ct)).Select(w => w.Id).ToHashSet();

    /// <summary>Running chunks whose lease one of <paramref name="workers"/> holds.</summary>
    private static async Task<IReadOnlyList<long>> HeldByAsync(FleetRun fleet, HashSet<long> workers)
    {
        var running = await fleet.Store.ChunkListAsync(new ChunkListParams(null, State: ChunkState.Running, Limit: 100_000), Ct);
        return running.Where(x => x.LeaseOwner is { } o && workers.Contains(o)).Select(x => x.Id).ToList();
    }

    private static async Task<long> DoneAsync(FleetRun fleet, long job) =>
        (await fleet.Store.ChunkListAsync(new ChunkListParams(job, Limit: 100_000), Ct)).Sum(x => x.Counters.Done);
}
