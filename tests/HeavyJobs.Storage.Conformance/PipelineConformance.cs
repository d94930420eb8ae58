using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Pipelines;
using HeavyJobs.Storage.Politeness;
using HeavyJobs.Storage.Schedules;

namespace HeavyJobs.Storage.Conformance;

public abstract class PipelineConformance(IStoreProvider provider) : ConformanceBase(provider)
{
    [Fact]
    public async Task StreamingStage_RunsAsSoonAsEmitted_BarrierStageWaitsForEverythingBefore()
    {
        var job = await Store.JobInsertAsync(new JobInsertParams("pipe", ThreeStages, "{}", ["{}", "{}"], 0, 3, Now), Ct);
        var fetch = await ClaimOneAsync(1, "f");
        await CheckpointAsync(fetch, "1", new ChunkCounters(1, 1, 0), emitted: [new EmittedChunk(1, "p", "{}", "p1"), new EmittedChunk(2, "a", "{}", "a1")]);

        // The parse chunk streams: claimable while the other fetch chunk is still pending.
        var parse = await ClaimOneAsync(2, "p");
        Assert.Equal(1, parse.Stage);
        Assert.Equal(ChunkState.Waiting, (await Store.ChunkListAsync(new ChunkListParams(job.JobId), Ct)).Single(c => c.Stage == 2).State);
        Assert.Empty(await Store.JobAdvanceStagesAsync(new JobAdvanceParams(Now), Ct));
        Assert.Empty(await Store.ChunkClaimAsync(new ChunkClaimParams(3, ["a"], 5, Now, Lease), Ct));

        await CheckpointAsync(fetch, "2", new ChunkCounters(2, 2, 0), complete: true);
        var other = await ClaimOneAsync(1, "f");
        await CheckpointAsync(other, "1", new ChunkCounters(1, 1, 0), complete: true);
        Assert.Empty(await Store.JobAdvanceStagesAsync(new JobAdvanceParams(Now), Ct));
        await CheckpointAsync(parse, "1", new ChunkCounters(1, 1, 0), complete: true);
        Assert.Empty(await Store.JobFinishCompletedAsync(new JobFinishParams(Now), Ct));

        var released = Assert.Single(await Store.JobAdvanceStagesAsync(new JobAdvanceParams(Now), Ct));

        Assert.Equal((job.JobId, 2, "aggregate", 1L, false), (released.JobId, released.Stage, released.Name, released.Chunks, released.Created));
        var aggregate = await ClaimOneAsync(3, "a");
        await CheckpointAsync(aggregate, "done", new ChunkCounters(1, 1, 0), complete: true);
        Assert.Equal([job.JobId], await Store.JobFinishCompletedAsync(new JobFinishParams(Now), Ct));
    }

    [Fact]
    public async Task BarrierStageWithNoEmittedChunks_GetsOneChunkWhenUpstreamIsDone()
    {
        var job = await Store.JobInsertAsync(new JobInsertParams("pipe", ThreeStages, "{}", ["{}"], 0, 3, Now), Ct);
        var fetch = await ClaimOneAsync(1, "f");
        await CheckpointAsync(fetch, null, new ChunkCounters(1, 1, 0), complete: true);

        var released = Assert.Single(await Store.JobAdvanceStagesAsync(
            new JobAdvanceParams(Now, s => new ActionInsertParams("manager", ActionKinds.Advance, $"stage {s.Stage} released", Now, JobId: s.JobId)),
            Ct));

        Assert.True(released.Created);
        var logged = Assert.Single(await Store.ActionListAsync(new ActionListParams(Kind: ActionKinds.Advance), Ct));
        Assert.Equal(("stage 2 released", (long?)job.JobId), (logged.Reason, logged.JobId));
        var aggregate = await ClaimOneAsync(2, "a");
        Assert.Equal("""{"stage":2}""", aggregate.Input);
        Assert.Empty(await Store.JobAdvanceStagesAsync(new JobAdvanceParams(Now, s => throw new InvalidOperationException("nothing to release, nothing to log")), Ct));
        Assert.Equal(job.JobId, aggregate.JobId);
    }

    [Fact]
    public async Task CancelAndPause_CascadeToEveryStage()
    {
        var job = await Store.JobInsertAsync(new JobInsertParams("pipe", ThreeStages, "{}", ["{}"], 0, 3, Now), Ct);
        var fetch = await ClaimOneAsync(1, "f");
        await CheckpointAsync(fetch, "1", new ChunkCounters(1, 1, 0), emitted: [new EmittedChunk(1, "p", "{}", "p1"), new EmittedChunk(2, "a", "{}", "a1")]);

        Assert.True(await Store.JobPauseAsync(new JobChangeParams(job.JobId, Now), Ct));
        Assert.Empty(await Store.ChunkClaimAsync(new ChunkClaimParams(2, ["p"], 5, Now, Lease), Ct));
        Assert.True(await Store.JobResumeAsync(new JobChangeParams(job.JobId, Now), Ct));
        Assert.True(await Store.JobCancelAsync(new JobChangeParams(job.JobId, Now), Ct));

        Assert.All(await Store.ChunkListAsync(new ChunkListParams(job.JobId), Ct), c => Assert.Equal(ChunkState.Cancelled, c.State));
    }

    [Fact]
    public async Task Pause_WhatAHeldChunkEmitsMeanwhile_WaitsForTheResume()
    {
        var job = await Store.JobInsertAsync(new JobInsertParams("pipe", ThreeStages, "{}", ["{}"], 0, 3, Now), Ct);
        var fetch = await ClaimOneAsync(1, "f");
        Assert.True(await Store.JobPauseAsync(new JobChangeParams(job.JobId, Now), Ct));

        Assert.Equal(CheckpointOutcome.Yield, await CheckpointAsync(fetch, "1", new ChunkCounters(1, 1, 0), emitted: [new EmittedChunk(1, "p", "{}", "p1")]));

        Assert.Equal(ChunkState.Paused, (await Store.ChunkListAsync(new ChunkListParams(job.JobId), Ct)).Single(c => c.Stage == 1).State);
        Assert.Empty(await Store.ChunkClaimAsync(new ChunkClaimParams(2, ["p"], 5, Now, Lease), Ct));
        Assert.True(await Store.JobResumeAsync(new JobChangeParams(job.JobId, Now), Ct));
        Assert.Equal(1, (await ClaimOneAsync(2, "p")).Stage);
    }

    [Fact]
    public async Task Pause_WhatAHeldChunkEmitsInItsBatchedCompletion_WaitsForTheResume()
    {
        var job = await Store.JobInsertAsync(new JobInsertParams("pipe", ThreeStages, "{}", ["{}"], 0, 3, Now), Ct);
        var fetch = await ClaimOneAsync(1, "f");
        Assert.True(await Store.JobPauseAsync(new JobChangeParams(job.JobId, Now), Ct));

        Assert.Equal(
            [fetch.Id],
            await Store.ChunkCompleteManyAsync(
                new ChunkCompleteManyParams([new ChunkCompletion(fetch.Id, fetch.Epoch, null, new ChunkCounters(1, 1, 0), job.JobId, 0, Emitted: [new EmittedChunk(1, "p", "{}", "p1")])], Now),
                Ct));

        Assert.Equal(ChunkState.Paused, (await Store.ChunkListAsync(new ChunkListParams(job.JobId), Ct)).Single(c => c.Stage == 1).State);
        Assert.Empty(await Store.ChunkClaimAsync(new ChunkClaimParams(2, ["p"], 5, Now, Lease), Ct));
        Assert.True(await Store.JobResumeAsync(new JobChangeParams(job.JobId, Now), Ct));
        Assert.Equal(1, (await ClaimOneAsync(2, "p")).Stage);
    }

    [Fact]
    public async Task Schedules_UpsertListAndAdvance()
    {
        var id = await Store.ScheduleUpsertAsync(new ScheduleUpsertParams("nightly", "0 3 * * *", "{}", CatchUp.Once, Now.AddHours(1), Now), Ct);
        await Store.ScheduleAdvanceAsync(new ScheduleAdvanceParams(id, Now.AddDays(1), Now, 42), Ct);

        var s = Assert.Single(await Store.ScheduleListAsync(Ct));

        Assert.Equal(("nightly", "0 3 * * *", Now.AddDays(1), Now, 42L), (s.Name, s.Cron, s.NextRunAt, s.LastRunAt!.Value, s.LastJobId!.Value));
        Assert.Equal(id, await Store.ScheduleUpsertAsync(new ScheduleUpsertParams("nightly", "0 4 * * *", "{}", CatchUp.SkipMissed, Now, Now), Ct));
        Assert.Equal("0 4 * * *", Assert.Single(await Store.ScheduleListAsync(Ct)).Cron);
    }

    [Fact]
    public async Task JobStageCounts_CountEachStageAndState_AndWhatFinishedSince()
    {
        var job = await Store.JobInsertAsync(new JobInsertParams("pipe", ThreeStages, "{}", ["{}", "{}", "{}"], 0, 3, Now), Ct);
        var fetch = await ClaimOneAsync(1, "f");
        await CheckpointAsync(fetch, "1", new ChunkCounters(4, 3, 1), complete: true, emitted: [new EmittedChunk(1, "p", "{}", "p1"), new EmittedChunk(1, "p", "{}", "p2")]);
        Now = Now.AddMinutes(10);
        var second = await ClaimOneAsync(1, "f");
        await CheckpointAsync(second, "1", new ChunkCounters(2, 2, 0), complete: true);
        await ClaimOneAsync(1, "f");

        var counts = await Store.JobStageCountsAsync(new JobStageCountsParams(job.JobId, Now.AddMinutes(-5)), Ct);

        Assert.Equal(
            [(0, ChunkState.Done, 2L, 6L, 1L), (0, ChunkState.Running, 1L, 0L, 0L), (1, ChunkState.Pending, 2L, 0L, 0L)],
            counts.Select(c => (c.Stage, c.State, c.Chunks, c.Counters.Done, c.FinishedSince)));
    }

    [Fact]
    public async Task ManagerAgenda_SaysWhetherJobsRun_AndWhenTheNextScheduleAndLeaseFallDue()
    {
        Assert.Equal(new ManagerAgenda(false, null, null), await Store.ManagerAgendaAsync(new ManagerAgendaParams(3), Ct));

        await Store.ScheduleUpsertAsync(new ScheduleUpsertParams("nightly", "0 3 * * *", "{}", "once", Now.AddHours(3), Now), Ct);
        var job = await InsertJobAsync(2);
        var chunk = await ClaimOneAsync(1);
        Assert.Equal(new ManagerAgenda(true, Now.AddHours(3), Now + Lease), await Store.ManagerAgendaAsync(new ManagerAgendaParams(3), Ct));

        await CheckpointAsync(chunk, "1", new ChunkCounters(1, 1, 0), complete: true);
        await Store.JobCancelAsync(new JobChangeParams(job.JobId, Now), Ct);
        Assert.Equal(new ManagerAgenda(false, Now.AddHours(3), null), await Store.ManagerAgendaAsync(new ManagerAgendaParams(3), Ct));
    }

    [Fact]
    public async Task RateReserve_SpacesStartsAcrossConcurrentCallers()
    {
        var interval = TimeSpan.FromMilliseconds(250);
        var others = Enumerable.Range(0, 8).Select(_ => Provider.OpenAnother(Store)).ToList();
        try
        {
            var starts = await Task.WhenAll(others.SelectMany(s => Enumerable.Range(0, 5).Select(_ => s)).Select(s => s.RateReserveAsync(new RateReserveParams("whois.example", interval, Now), Ct)));

            var ordered = starts.Order().ToList();
            Assert.Equal(40, ordered.Distinct().Count());
            Assert.Equal(Now, ordered[0]);
            Assert.All(ordered.Zip(ordered.Skip(1)), pair => Assert.Equal(interval, pair.Second - pair.First));
        }
        finally
        {
            foreach (var o in others)
            {
                await o.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task RateReserve_NotBefore_StartsNoEarlierThanAsked_AndTheNextTurnIsSpacedFromThere()
    {
        var interval = TimeSpan.FromMilliseconds(10);
        // A caller whose answers take a round trip to come back asks 120 ms ahead: its turn is there, not now.
        Assert.Equal(Now.AddMilliseconds(120), await Store.RateReserveAsync(new RateReserveParams("ahead", interval, Now, Now.AddMilliseconds(120)), Ct));
        // The next caller, asking for now, comes a spacing after it; an earliest before the next free turn changes nothing.
        Assert.Equal(Now.AddMilliseconds(130), await Store.RateReserveAsync(new RateReserveParams("ahead", interval, Now), Ct));
        Assert.Equal(Now.AddMilliseconds(140), await Store.RateReserveAsync(new RateReserveParams("ahead", interval, Now, Now.AddMilliseconds(50)), Ct));
        // Taken with a slot, the same.
        var turn = await Store.ServerTurnTakeAsync(new ServerTurnTakeParams("ahead", 2, Now.AddSeconds(30), interval, Now, NotBefore: Now.AddMilliseconds(400)), Ct);
        Assert.Equal(Now.AddMilliseconds(400), turn!.Start);
    }

    [Fact]
    public async Task ServerSlots_CapConcurrency_AndFreeAfterReleaseOrHold()
    {
        var hold = Now.AddSeconds(30);
        var a = await Store.ServerSlotAcquireAsync(new ServerSlotAcquireParams("s", 2, hold, Now), Ct);
        var b = await Store.ServerSlotAcquireAsync(new ServerSlotAcquireParams("s", 2, hold, Now), Ct);
        Assert.Equal([0, 1], new[] { a!.Value, b!.Value }.Order());
        Assert.Null(await Store.ServerSlotAcquireAsync(new ServerSlotAcquireParams("s", 2, hold, Now), Ct));

        await Store.ServerSlotReleaseAsync(new ServerSlotReleaseParams("s", a.Value), Ct);
        Assert.Equal(a, await Store.ServerSlotAcquireAsync(new ServerSlotAcquireParams("s", 2, hold, Now), Ct));
        Assert.NotNull(await Store.ServerSlotAcquireAsync(new ServerSlotAcquireParams("s", 2, hold.AddSeconds(30), hold.AddSeconds(1)), Ct));
    }

    [Fact]
    public async Task ServerTurnTake_TakesASlotAndASpacedTurnInOneCall_AndNoTurnWhenTheSlotsAreFull()
    {
        var hold = Now.AddSeconds(30);
        var spacing = TimeSpan.FromMilliseconds(100);
        var a = await Store.ServerTurnTakeAsync(new ServerTurnTakeParams("t", 2, hold, spacing, Now), Ct);
        var b = await Store.ServerTurnTakeAsync(new ServerTurnTakeParams("t", 2, hold, spacing, Now), Ct);
        Assert.Equal([0, 1], new[] { a!.Slot, b!.Slot }.Order());
        Assert.Equal((Now, Now + spacing), (a.Start, b.Start));

        // Full: no slot, and no turn reserved for a request that cannot go (the next turn is still the third).
        Assert.Null(await Store.ServerTurnTakeAsync(new ServerTurnTakeParams("t", 2, hold, spacing, Now), Ct));
        Assert.Equal(Now + 2 * spacing, await Store.RateReserveAsync(new RateReserveParams("t", spacing, Now), Ct));

        // The holder of a slot passes it on: its hold is renewed and the next turn taken, with no other slot taken.
        var renewed = await Store.ServerTurnTakeAsync(new ServerTurnTakeParams("t", 2, hold.AddSeconds(30), spacing, Now, Held: a.Slot), Ct);
        Assert.Equal((a.Slot, Now + 3 * spacing), (renewed!.Slot, renewed.Start));
        // After the first hold ran out only the slot that was not renewed frees itself.
        Assert.Equal(b.Slot, await Store.ServerSlotAcquireAsync(new ServerSlotAcquireParams("t", 2, hold.AddSeconds(30), hold.AddSeconds(1)), Ct));
        Assert.Null(await Store.ServerSlotAcquireAsync(new ServerSlotAcquireParams("t", 2, hold.AddSeconds(30), hold.AddSeconds(1)), Ct));

        // Released, a slot is free to the next taker; the slow-down after a push-back stretches the turns it takes.
        await Store.ServerSlotReleaseAsync(new ServerSlotReleaseParams("t", b.Slot), Ct);
        var later = Now.AddSeconds(5);
        await Store.RateBackOffAsync(new RateBackOffParams("t", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), later), Ct);
        var c = await Store.ServerTurnTakeAsync(new ServerTurnTakeParams("t", 2, later.AddSeconds(30), spacing, later), Ct);
        Assert.Equal((b.Slot, later.AddSeconds(1)), (c!.Slot, c.Start));
        Assert.Equal(later.AddSeconds(1) + 2 * spacing, await Store.RateReserveAsync(new RateReserveParams("t", spacing, later), Ct));
    }
}
