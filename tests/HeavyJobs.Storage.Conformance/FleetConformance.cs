using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Fleet;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Monitoring;
using HeavyJobs.Storage.Nodes;
using HeavyJobs.Storage.Pipelines;
using HeavyJobs.Storage.Schedules;
using HeavyJobs.Storage.Workers;

namespace HeavyJobs.Storage.Conformance;

/// <summary>The fleet's rows: leadership epochs and their fence, machines joining, beating and dying, fleet targets, locks.</summary>
public abstract class FleetConformance(IStoreProvider provider) : ConformanceBase(provider)
{
    private static readonly TimeSpan Beat = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Fence_AWriteUnderAnOldEpoch_IsRefusedAndLeavesNothing()
    {
        var first = await Store.LeaderTakeAsync(new LeaderTakeParams("a", Now), Ct);
        var second = await Store.LeaderTakeAsync(new LeaderTakeParams("b", Now), Ct);
        Assert.Equal(first + 1, second);
        Assert.Equal(("b", second), ((await Store.LeaderGetAsync(Ct)).Holder, (await Store.LeaderGetAsync(Ct)).Epoch));

        using (StoreFence.Enter(first))
        {
            var refused = await Assert.ThrowsAsync<LeadershipLostException>(() => InsertJobAsync(3));
            Assert.Equal(first, refused.Epoch);
        }

        Assert.Empty(await Store.JobListAsync(new JobListParams(10), Ct));
        using (StoreFence.Enter(second))
        {
            await InsertJobAsync(3);
        }

        Assert.Single(await Store.JobListAsync(new JobListParams(10), Ct));
    }

    [Fact]
    public async Task Schedule_FiresOncePerDueTime_WhoeverFiresIt()
    {
        var due = Now;
        var id = await Store.ScheduleUpsertAsync(new ScheduleUpsertParams("s", "* * * * *", "{}", "once", due, Now), Ct);
        var fire = new ScheduleFire(id, due, due.AddMinutes(1));
        var job = await Store.JobInsertAsync(Job(fire), Ct);

        await Assert.ThrowsAsync<ScheduleAlreadyFiredException>(() => Store.JobInsertAsync(Job(fire), Ct));

        Assert.Equal([job.JobId], (await Store.JobListAsync(new JobListParams(10), Ct)).Select(j => j.Job.Id));
        var schedule = Assert.Single(await Store.ScheduleListAsync(Ct));
        Assert.Equal((due.AddMinutes(1), job.JobId), (schedule.NextRunAt, schedule.LastJobId));
    }

    [Fact]
    public async Task Leader_ANewEpochIsLoggedInTheTransactionThatStartsIt()
    {
        ActionInsertParams Leads(string? reason) => new("manager", ActionKinds.Lead, reason!, Now);
        var first = await Store.LeaderTakeAsync(new LeaderTakeParams("a", Now, e => Leads($"a leads (epoch {e})")), Ct);

        // An entry the database refuses (no reason: the fault injected) takes the new epoch down with it.
        await Assert.ThrowsAnyAsync<Exception>(() => Store.LeaderTakeAsync(new LeaderTakeParams("b", Now, _ => Leads(null)), Ct));
        Assert.Equal(("a", first), ((await Store.LeaderGetAsync(Ct)).Holder, (await Store.LeaderGetAsync(Ct)).Epoch));

        var second = await Store.LeaderTakeAsync(new LeaderTakeParams("b", Now, e => Leads($"b leads (epoch {e})")), Ct);
        Assert.Equal(first + 1, second);
        Assert.Equal(
            [$"a leads (epoch {first})", $"b leads (epoch {second})"],
            (await Store.ActionListAsync(new ActionListParams(Kind: ActionKinds.Lead), Ct)).Select(a => a.Reason).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Schedule_ARunIsLoggedInTheTransactionThatFiresIt_OnceWhoeverFiresIt()
    {
        var due = Now;
        var id = await Store.ScheduleUpsertAsync(new ScheduleUpsertParams("s", "* * * * *", "{}", "once", due, Now), Ct);
        ActionInsertParams Ran(long job, string? reason) => new("manager", ActionKinds.ScheduleRun, reason!, Now, JobId: job);

        // An entry the database refuses (no reason: the fault injected) takes the run down with it: no job, still due.
        await Assert.ThrowsAnyAsync<Exception>(() => Store.JobInsertAsync(Job(new ScheduleFire(id, due, due.AddMinutes(1), j => Ran(j, null))), Ct));
        Assert.Empty(await Store.JobListAsync(new JobListParams(10), Ct));
        Assert.Equal(due, Assert.Single(await Store.ScheduleListAsync(Ct)).NextRunAt);
        Assert.Empty(await Store.ActionListAsync(new ActionListParams(), Ct));

        var fire = new ScheduleFire(id, due, due.AddMinutes(1), j => Ran(j, $"submitted job {j}"));
        var job = await Store.JobInsertAsync(Job(fire), Ct);
        await Assert.ThrowsAsync<ScheduleAlreadyFiredException>(() => Store.JobInsertAsync(Job(fire), Ct));

        var logged = Assert.Single(await Store.ActionListAsync(new ActionListParams(), Ct));
        Assert.Equal((ActionKinds.ScheduleRun, (long?)job.JobId, $"submitted job {job.JobId}"), (logged.Kind, logged.JobId, logged.Reason));
    }

    [Fact]
    public async Task Schedule_ARunSkippedIsLoggedByTheManagerThatMovesItOn_AndOnlyThen()
    {
        var due = Now;
        var id = await Store.ScheduleUpsertAsync(new ScheduleUpsertParams("s", "* * * * *", "{}", "skip", due, Now), Ct);
        ActionInsertParams Skipped(string? reason) => new("manager", ActionKinds.ScheduleSkip, reason!, Now);
        ScheduleAdvanceParams Advance(string? reason) => new(id, due.AddMinutes(1), null, null, due, Skipped(reason));

        await Assert.ThrowsAnyAsync<Exception>(() => Store.ScheduleAdvanceAsync(Advance(null), Ct));
        Assert.Equal(due, Assert.Single(await Store.ScheduleListAsync(Ct)).NextRunAt);
        Assert.Empty(await Store.ActionListAsync(new ActionListParams(), Ct));

        // Two managers saw the same run due (one led a moment ago): the one that moved the schedule says so.
        await Store.ScheduleAdvanceAsync(Advance("missed, by the leader"), Ct);
        await Store.ScheduleAdvanceAsync(Advance("missed, by the one that led before"), Ct);

        Assert.Equal(due.AddMinutes(1), Assert.Single(await Store.ScheduleListAsync(Ct)).NextRunAt);
        Assert.Equal(["missed, by the leader"], (await Store.ActionListAsync(new ActionListParams(), Ct)).Select(a => a.Reason));
    }

    [Fact]
    public async Task Machine_JoinBeatAndDeclaredDead_FreesEveryChunkAtOnce_NotingOnlyTheStartedOnes()
    {
        Assert.Equal(new NodeJoined(null, false, false), await Store.NodeJoinAsync(Join("m1", "boot-1"), Ct));
        await Store.NodeJoinAsync(Join("m2", "boot-1"), Ct);
        await InsertJobAsync(6);
        var w1 = await Store.WorkerRegisterAsync(new WorkerRegisterParams("m1", 100, ["t"], "1", 0, Now), Ct);
        var w2 = await Store.WorkerRegisterAsync(new WorkerRegisterParams("m2", 200, ["t"], "1", 0, Now), Ct);
        // m1's worker claims three chunks ahead and starts on one of them; m2's holds one.
        var held = await Store.ChunkClaimAsync(new ChunkClaimParams(w1, ["t"], 3, Now, Lease), Ct);
        var other = Assert.Single(await Store.ChunkClaimAsync(new ChunkClaimParams(w2, ["t"], 1, Now, Lease), Ct));
        await Store.WorkerUpdateManyAsync(new WorkerUpdateManyParams([new WorkerUpdate(w1, WorkerState.Busy, held[0].Id, 0, 0, 0, null)], Now), Ct);

        Now += Beat;
        Assert.Equal(new NodeBeat(true, false, false), await Store.NodeBeatAsync(new NodeBeatParams("m2", "boot-1", Now), Ct));
        Assert.Equal(new NodeBeat(false, false, false), await Store.NodeBeatAsync(new NodeBeatParams("m2", "boot-0", Now), Ct));
        Now += Beat * 3;
        var agenda = await Store.ManagerAgendaAsync(new ManagerAgendaParams(3), Ct);
        Assert.Equal(Now - Beat, agenda.NextMachineDeadline);

        // A beat newer than the cutoff wins: m2 is not dead.
        ActionInsertParams Death(NodeDeclaredDead d) => new("manager", ActionKinds.MachineDead, $"{d.Name}: {d.LostWorkers.Count} lost, {d.FreedChunks} freed", Now, d.Name);
        Assert.Null(await Store.NodeDeclareDeadAsync(new NodeDeclareDeadParams("m2", Now - Beat * 3, "silent", Now, Death), Ct));
        var dead = await Store.NodeDeclareDeadAsync(new NodeDeclareDeadParams("m1", Now - Beat * 3, "silent", Now, Death), Ct);

        Assert.NotNull(dead);
        // Logged in the transaction that declared it, with what it freed; the machine that was not declared dead, not at all.
        var death = Assert.Single(await Store.ActionListAsync(new ActionListParams(Kind: ActionKinds.MachineDead), Ct));
        Assert.Equal(("m1: 1 lost, 3 freed", "m1"), (death.Reason, death.Node));
        Assert.Equal([w1], dead.LostWorkers);
        Assert.Equal(3, dead.FreedChunks);
        Assert.Equal([held[0].Id], dead.Started);
        Assert.Null(await Store.NodeDeclareDeadAsync(new NodeDeclareDeadParams("m1", Now, "silent", Now), Ct));
        Assert.Equal(WorkerState.Lost, (await Store.WorkerListAsync(new WorkerListParams("m1"), Ct)).Single().State);
        Assert.Equal(NodeStates.Dead, (await Store.NodeListAsync(Ct)).Single(n => n.Name == "m1").State);
        var chunks = (await Store.ChunkListAsync(new ChunkListParams(held[0].JobId), Ct)).ToDictionary(c => c.Id);
        foreach (var c in held)
        {
            // Free at once, with no death charged; only the one that had started carries a note of it.
            Assert.Equal((ChunkState.Pending, 0, c.Id == held[0].Id), (chunks[c.Id].State, chunks[c.Id].Crashes, chunks[c.Id].Errors.Contains("silent", StringComparison.Ordinal)));
        }

        Assert.Equal(ChunkState.Running, chunks[other.Id].State);

        // Its monitor beats again (it was frozen): the machine is back up, and says so once.
        Assert.Equal(new NodeBeat(true, true, false), await Store.NodeBeatAsync(new NodeBeatParams("m1", "boot-1", Now), Ct));
        Assert.Equal(new NodeBeat(true, false, false), await Store.NodeBeatAsync(new NodeBeatParams("m1", "boot-1", Now), Ct));

        // It reboots: the join says which boot it had.
        Assert.Equal(new NodeJoined("boot-1", false, false), await Store.NodeJoinAsync(Join("m1", "boot-2"), Ct));
    }

    [Fact]
    public async Task Spread_ChangesOnlyUnpinnedRows_AndTheStampMovesWithTheFleet()
    {
        Assert.Equal(0, (await Store.ManagerAgendaAsync(new ManagerAgendaParams(3), Ct)).FleetStamp);
        await Store.NodeJoinAsync(Join("m1", "b"), Ct);
        await Store.NodeJoinAsync(Join("m2", "b"), Ct);
        await Store.FleetTargetSetAsync(new FleetTargetSetParams("t", 6, Now), Ct);
        var stamp = (await Store.ManagerAgendaAsync(new ManagerAgendaParams(3), Ct)).FleetStamp;
        Assert.NotEqual(0, stamp);
        await Store.WorkerTargetSetAsync(new WorkerTargetSetParams("m1", "t", 1, Now), Ct);

        var changed = await Store.WorkerTargetSpreadAsync(new WorkerTargetSpreadParams([new SpreadTarget("m1", "t", 3), new SpreadTarget("m2", "t", 3)], Now), Ct);

        Assert.Equal(1, changed);
        var rows = (await Store.WorkerTargetListAsync(null, Ct)).ToDictionary(t => t.Node);
        Assert.Equal((1, true), (rows["m1"].Count, rows["m1"].Pinned));
        Assert.Equal((3, false), (rows["m2"].Count, rows["m2"].Pinned));
        Assert.Equal(0, await Store.WorkerTargetSpreadAsync(new WorkerTargetSpreadParams([new SpreadTarget("m2", "t", 3)], Now), Ct));

        Now += TimeSpan.FromSeconds(1);
        Assert.True(await Store.NodeDrainAsync(new NodeDrainParams("m2", true, Now), Ct));
        Assert.False(await Store.NodeDrainAsync(new NodeDrainParams("m2", true, Now), Ct));
        var drainedStamp = (await Store.ManagerAgendaAsync(new ManagerAgendaParams(3), Ct)).FleetStamp;
        Assert.NotEqual(stamp, drainedStamp);
        Assert.True((await Store.NodeListAsync(Ct)).Single(n => n.Name == "m2").Drained);

        Now += TimeSpan.FromSeconds(1);
        await Store.WorkerTargetUnpinAsync(new WorkerTargetUnpinParams("m1", "t", Now), Ct);
        Assert.False((await Store.WorkerTargetListAsync("m1", Ct)).Single().Pinned);
        Assert.Equal(1, await Store.WorkerTargetSpreadAsync(new WorkerTargetSpreadParams([new SpreadTarget("m1", "t", 6)], Now), Ct));
        Assert.Equal([new FleetTargetRow("t", 6, Now - TimeSpan.FromSeconds(2))], await Store.FleetTargetListAsync(Ct));
    }

    [Fact]
    public async Task FleetShapeChanges_AreLoggedInTheirOwnTransaction_AndOnlyWhenTheyChangeSomething()
    {
        await Store.NodeJoinAsync(Join("m1", "b"), Ct);
        ActionInsertParams Log(string reason) => new("cli:op", ActionKinds.Scale, reason, Now, "m1");
        await Store.WorkerTargetSetAsync(new WorkerTargetSetParams("m1", "t", 2, Now, Log("t = 2")), Ct);
        await Store.FleetTargetSetAsync(new FleetTargetSetParams("u", 4, Now, Log("u = 4 over the fleet")), Ct);
        await Store.WorkerTargetUnpinAsync(new WorkerTargetUnpinParams("m1", "t", Now, Log("t: back to the fleet spread")), Ct);
        Assert.True(await Store.NodeDrainAsync(new NodeDrainParams("m1", true, Now, Log("drained")), Ct));
        Assert.False(await Store.NodeDrainAsync(new NodeDrainParams("m1", true, Now, Log("drained again")), Ct));
        Assert.Equal(1, await Store.WorkerTargetSpreadAsync(new WorkerTargetSpreadParams([new SpreadTarget("m1", "u", 4)], Now, [Log("u spread")]), Ct));
        Assert.Equal(0, await Store.WorkerTargetSpreadAsync(new WorkerTargetSpreadParams([new SpreadTarget("m1", "u", 4)], Now, [Log("u spread again")]), Ct));

        var logged = await Store.ActionListAsync(new ActionListParams(), Ct);
        Assert.Equal(["t = 2", "u = 4 over the fleet", "t: back to the fleet spread", "drained", "u spread"], logged.Select(a => a.Reason).Reverse());

        // A log entry the database refuses (no reason: the fault injected) takes its change down with it.
        await Assert.ThrowsAnyAsync<Exception>(() => Store.WorkerTargetSetAsync(new WorkerTargetSetParams("m1", "t", 9, Now, Log(null!)), Ct));
        await Assert.ThrowsAnyAsync<Exception>(() => Store.FleetTargetSetAsync(new FleetTargetSetParams("u", 9, Now, Log(null!)), Ct));
        await Assert.ThrowsAnyAsync<Exception>(() => Store.NodeDrainAsync(new NodeDrainParams("m1", false, Now, Log(null!)), Ct));
        Assert.Equal(2, (await Store.WorkerTargetListAsync("m1", Ct)).Single(t => t.Type == "t").Count);
        Assert.Equal(4, (await Store.FleetTargetListAsync(Ct)).Single().Count);
        Assert.True((await Store.NodeListAsync(Ct)).Single().Drained);
        Assert.Equal(5, (await Store.ActionListAsync(new ActionListParams(), Ct)).Count);
    }

    [Fact]
    public async Task Lock_IsExclusive_UntilReleased()
    {
        var held = await Store.TryLockAsync("manager", new LockOptions(), Ct);
        Assert.NotNull(held);
        await using var other = Provider.OpenAnother(Store);
        Assert.Null(await other.TryLockAsync("manager", new LockOptions(), Ct));
        await using (var node = await other.TryLockAsync("node:m1", new LockOptions(), Ct))
        {
            Assert.NotNull(node);
        }

        Assert.True(await held.RenewAsync(Ct));
        var waiting = other.LockAsync("manager", new LockOptions(), Ct);
        Assert.False(waiting.IsCompleted);
        await held.DisposeAsync();
        await using var taken = await waiting;
        Assert.Equal("manager", taken.Name);
    }

    [Fact]
    public async Task LockingWatcher_HoldsTheName_AndStillWakes()
    {
        await using var other = Provider.OpenAnother(Store);
        var watcher = await Store.TryLockWatchingAsync("node:m1", Ct);
        Assert.NotNull(watcher);
        Assert.True(watcher.Held);
        // The same name, by either way of asking, is refused while the watcher lives; another name is free.
        Assert.Null(await other.TryLockWatchingAsync("node:m1", Ct));
        Assert.Null(await other.TryLockAsync("node:m1", new LockOptions(), Ct));
        await using (var m2 = await other.TryLockWatchingAsync("node:m2", Ct))
        {
            Assert.NotNull(m2);
        }

        // It is a change watcher like any other: armed by a first call, a work-making commit wakes it.
        Assert.False(await watcher.WaitAsync(TimeSpan.FromMilliseconds(50), Ct));
        await other.JobInsertAsync(new("t", [new Core.Definitions.StageDefinition("main", "t", Core.Definitions.StageMode.Streaming)], "{}", ["{}"], 0, 3, Now), Ct);
        Assert.True(await watcher.WaitAsync(TimeSpan.FromSeconds(30), Ct));
        await watcher.DisposeAsync();
        await using var taken = await other.TryLockWatchingAsync("node:m1", Ct);
        Assert.NotNull(taken);
    }

    [Fact]
    public async Task LockHeld_SaysWhetherALiveHolderHasTheName_WithoutTakingIt()
    {
        await using var other = Provider.OpenAnother(Store);
        Assert.False(await other.LockHeldAsync("node:m1", Ct));
        await using (var watcher = await Store.TryLockWatchingAsync("node:m1", Ct))
        {
            Assert.NotNull(watcher);
            Assert.True(await other.LockHeldAsync("node:m1", Ct));
            Assert.False(await other.LockHeldAsync("node:m2", Ct));
            // Asking took nothing: the name is still the watcher's alone.
            Assert.Null(await other.TryLockAsync("node:m1", new LockOptions(), Ct));
        }

        // Let go with its holder: on PostgreSQL when the closed session's backend ends, a moment after the close.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await other.LockHeldAsync("node:m1", Ct) != false)
        {
            Assert.True(DateTime.UtcNow < deadline, "the name was still held 30 s after its holder let it go");
            await Task.Delay(50, Ct);
        }
    }

    private NodeJoinParams Join(string name, string boot) => new(name, boot, "1", 4, 100, "host", Beat, Now);

    private JobInsertParams Job(ScheduleFire fire) =>
        new("scheduled", [new Core.Definitions.StageDefinition("main", "t", Core.Definitions.StageMode.Streaming)], "{}", ["{}"], 0, 3, Now, Fire: fire);
}
