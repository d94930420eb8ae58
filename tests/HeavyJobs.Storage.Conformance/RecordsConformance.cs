using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Monitoring;
using HeavyJobs.Storage.Nodes;
using HeavyJobs.Storage.Throughput;
using HeavyJobs.Storage.Workers;

namespace HeavyJobs.Storage.Conformance;

public abstract class RecordsConformance(IStoreProvider provider) : ConformanceBase(provider)
{
    [Fact]
    public async Task Workers_RegisterUpdateAndList()
    {
        var a = await Store.WorkerRegisterAsync(new WorkerRegisterParams("n1", 100, ["t", "u"], "1.0", 0, Now), Ct);
        var b = await Store.WorkerRegisterAsync(new WorkerRegisterParams("n2", 200, ["t"], "1.0", 2, Now), Ct);
        Now += TimeSpan.FromSeconds(5);

        await Store.WorkerUpdateManyAsync(
            new WorkerUpdateManyParams(
                [
                    new WorkerUpdate(a, WorkerState.Busy, 42, 12.5, 1 << 20, 99.5, "last line"),
                    new WorkerUpdate(b, WorkerState.Exited, null, 0, 0, 0, ExitReason: "killed: hung"),
                ],
                Now),
            Ct);

        var live = await Store.WorkerListAsync(new WorkerListParams(), Ct);
        var w = Assert.Single(live);
        Assert.Equal(a, w.Id);
        Assert.Equal(WorkerState.Busy, w.State);
        Assert.Equal(42, w.CurrentChunk);
        Assert.Equal(["t", "u"], w.Types);
        Assert.Equal("last line", w.StderrTail);
        Assert.Equal(Now, w.HeartbeatAt);
        var all = await Store.WorkerListAsync(new WorkerListParams(IncludeExited: true), Ct);
        var exited = all.Single(x => x.Id == b);
        Assert.Equal("killed: hung", exited.ExitReason);
        Assert.Equal(Now, exited.StoppedAt);
        Assert.Equal(2, exited.Restarts);
    }

    [Fact]
    public async Task Nodes_UpsertKeepsStartUnlessBootChanges()
    {
        var start = Now;
        await Store.NodeUpsertAsync(new NodeUpsertParams("m1", "boot-a", "1", 4, Now), Ct);
        Now += TimeSpan.FromMinutes(1);
        await Store.NodeUpsertAsync(new NodeUpsertParams("m1", "boot-a", "1", 4, Now), Ct);
        Assert.Equal(start, Assert.Single(await Store.NodeListAsync(Ct)).StartedAt);

        await Store.NodeUpsertAsync(new NodeUpsertParams("m1", "boot-b", "2", 8, Now), Ct);

        var node = Assert.Single(await Store.NodeListAsync(Ct));
        Assert.Equal(Now, node.StartedAt);
        Assert.Equal("boot-b", node.BootId);
        Assert.Equal(8, node.Capacity);
    }

    [Fact]
    public async Task Actions_InsertAndFilter()
    {
        await Store.ActionInsertAsync(new ActionInsertParams("monitor", "kill", "hung: no heartbeat for 30s", Now, "m1", 5, 1, 9), Ct);
        await Store.ActionInsertAsync(new ActionInsertParams("alice", "reset", "by hand", Now, ChunkId: 9), Ct);
        await Store.ActionInsertAsync(new ActionInsertParams("monitor", "start", "scale", Now, "m1", 6), Ct);

        Assert.Equal(3, (await Store.ActionListAsync(new ActionListParams(), Ct)).Count);
        Assert.Equal(["reset", "kill"], (await Store.ActionListAsync(new ActionListParams(ChunkId: 9), Ct)).Select(a => a.Kind));
        var kill = Assert.Single(await Store.ActionListAsync(new ActionListParams(Kind: "kill"), Ct));
        Assert.Equal("hung: no heartbeat for 30s", kill.Reason);
        Assert.Equal(5, kill.WorkerId);
        Assert.Single(await Store.ActionListAsync(new ActionListParams(WorkerId: 6), Ct));
    }

    [Fact]
    public async Task Throughput_AddsIntoMinuteBuckets()
    {
        var minute = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        await Store.ThroughputAddAsync(
            new ThroughputAddParams(
                [
                    new ThroughputSample(minute.AddSeconds(5), 1, "t", 0, 10, 9, 1),
                    new ThroughputSample(minute.AddSeconds(50), 1, "t", 0, 5, 5, 0),
                    new ThroughputSample(minute.AddSeconds(61), 1, "t", 0, 7, 7, 0),
                    new ThroughputSample(minute.AddSeconds(5), 2, "t", 0, 1, 0, 1),
                ]),
            Ct);
        await Store.ThroughputAddAsync(new ThroughputAddParams([new ThroughputSample(minute.AddSeconds(30), 1, "t", 0, 100, 100, 0)]), Ct);

        var rows = await Store.ThroughputListAsync(new ThroughputListParams(minute, minute.AddMinutes(5)), Ct);

        Assert.Equal(3, rows.Count);
        Assert.Equal(new ThroughputRow(minute, 1, "t", 0, 115, 114, 1), rows[0]);
        Assert.Equal(new ThroughputRow(minute, 2, "t", 0, 1, 0, 1), rows[1]);
        Assert.Equal(new ThroughputRow(minute.AddMinutes(1), 1, "t", 0, 7, 7, 0), rows[2]);
        Assert.Single(await Store.ThroughputListAsync(new ThroughputListParams(minute, minute.AddMinutes(5), WorkerId: 2), Ct));
    }

    [Fact]
    public async Task WorkerTargets_SetOverwritesAndHealthIsKept()
    {
        await Store.WorkerTargetSetAsync(new WorkerTargetSetParams("m1", "t", 4, Now), Ct);
        await Store.WorkerTargetSetAsync(new WorkerTargetSetParams("m1", "u", 1, Now), Ct);
        await Store.WorkerTargetHealthAsync(new WorkerTargetHealthParams("m1", "t", true, "boom\nboom", Now), Ct);
        await Store.WorkerTargetSetAsync(new WorkerTargetSetParams("m1", "t", 2, Now), Ct);

        var targets = await Store.WorkerTargetListAsync("m1", Ct);

        Assert.Equal(["t", "u"], targets.Select(t => t.Type));
        Assert.Equal(2, targets[0].Count);
        Assert.True(targets[0].CrashLooping);
        Assert.Equal("boom\nboom", targets[0].Note);
        Assert.Empty(await Store.WorkerTargetListAsync("m2", Ct));
    }

    [Fact]
    public async Task Commands_AreTakenOnceInOrder_PerNode()
    {
        var a = await Store.CommandInsertAsync(new CommandInsertParams("m1", CommandKinds.Stop, 5, "alice", Now), Ct);
        var b = await Store.CommandInsertAsync(new CommandInsertParams("m1", CommandKinds.Terminate, 6, "alice", Now), Ct);
        await Store.CommandInsertAsync(new CommandInsertParams("m2", CommandKinds.Drain, null, "bob", Now), Ct);

        var taken = await Store.CommandTakeAsync(new CommandTakeParams("m1", Now), Ct);

        Assert.Equal([a, b], taken.Select(c => c.Id));
        Assert.Equal([CommandKinds.Stop, CommandKinds.Terminate], taken.Select(c => c.Kind));
        Assert.Empty(await Store.CommandTakeAsync(new CommandTakeParams("m1", Now), Ct));
        Assert.Single(await Store.CommandTakeAsync(new CommandTakeParams("m2", Now), Ct));
    }
}
