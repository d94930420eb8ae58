using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Dashboard;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Monitoring;
using HeavyJobs.Storage.Retention;
using HeavyJobs.Storage.Throughput;
using HeavyJobs.Storage.Workers;

namespace HeavyJobs.Storage.Conformance;

/// <summary>Retention: what is old enough goes, a batch at a time; what is young, running or a job's result stays.</summary>
public abstract class PruneConformance(IStoreProvider provider) : ConformanceBase(provider)
{
    private static readonly StageDefinition[] TwoStages = [new("map", "m", StageMode.Streaming), new("total", "s", StageMode.Streaming)];

    [Fact]
    public async Task Prune_RemovesAnOldFinishedJobsChunksAndEarlierOutputs_AndKeepsItsCountsAndResult()
    {
        var worker = await Store.WorkerRegisterAsync(new WorkerRegisterParams("n", 1, ["m", "s", "t"], "1", 0, Now), Ct);
        var old = await RunTwoStageJobAsync(worker, chunks: 3);
        var listedBefore = await SummaryAsync(old);
        var stagesBefore = await Store.JobStageCountsAsync(new JobStageCountsParams(old, Now), Ct);
        Now += TimeSpan.FromDays(10);
        var recent = await RunTwoStageJobAsync(worker, chunks: 2);
        var running = (await InsertJobAsync(2)).JobId;

        var p = Cutoffs(TimeSpan.FromDays(5), batch: 1);
        Assert.Equal(new PruneCounts(1, 4, 3, 0, 0, 0, 0), await Store.PruneCountAsync(p, Ct));
        var removed = await PruneAllAsync(p);

        Assert.Equal(new PruneCounts(1, 4, 3, 0, 0, 0, 0), removed);
        Assert.Equal(PruneCounts.Zero, await Store.PruneCountAsync(p, Ct));
        Assert.Empty(await Store.ChunkListAsync(new ChunkListParams(JobId: old), Ct));
        // The last stage's outputs are the job's result: kept.
        Assert.Equal(["total|all"], (await Store.OutputListAsync(new OutputListParams(old), Ct)).Select(o => o.Key));
        // Its counts read the same as before its chunks went, on the list, per stage, and after a later recount.
        Assert.Equal(listedBefore.ChunksByState, (await SummaryAsync(old)).ChunksByState);
        Assert.Equal(listedBefore.Counters, (await SummaryAsync(old)).Counters);
        await Store.JobStatsRefreshAsync(new JobStatsRefreshParams(Now), Ct);
        var stagesAfter = await Store.JobStageCountsAsync(new JobStageCountsParams(old, Now), Ct);
        Assert.Equal(stagesBefore.Select(s => (s.Stage, s.State, s.Chunks, s.Counters)), stagesAfter.Select(s => (s.Stage, s.State, s.Chunks, s.Counters)));
        Assert.Equal(3, Assert.Single(await Store.JobStatsListAsync(new JobStatsListParams([old]), Ct)).Rows.Single(r => r.Stage == 0).Chunks);

        // A job that finished after the cut-off, and one still running, keep everything.
        Assert.Equal(3, (await Store.ChunkListAsync(new ChunkListParams(JobId: recent), Ct)).Count);
        Assert.Equal(3, (await Store.OutputListAsync(new OutputListParams(recent), Ct)).Count);
        Assert.Equal(2, (await Store.ChunkListAsync(new ChunkListParams(JobId: running), Ct)).Count);
    }

    [Fact]
    public async Task Prune_RemovesOldActionsExitedWorkersAndTakenCommands_AndNothingYounger()
    {
        var gone = await Store.WorkerRegisterAsync(new WorkerRegisterParams("n", 1, ["t"], "1", 0, Now), Ct);
        var live = await Store.WorkerRegisterAsync(new WorkerRegisterParams("n", 2, ["t"], "1", 0, Now), Ct);
        await Store.WorkerUpdateManyAsync(new WorkerUpdateManyParams([new WorkerUpdate(gone, WorkerState.Exited, null, 0, 0, 0, ExitReason: "exit 0")], Now), Ct);
        await Store.CommandInsertAsync(new CommandInsertParams("n", "stop", gone, "op", Now), Ct);
        await Store.CommandTakeAsync(new CommandTakeParams("n", Now), Ct);
        await Store.CommandInsertAsync(new CommandInsertParams("n", "stop", live, "op", Now), Ct);
        for (var i = 0; i < 5; i++)
        {
            await Store.ActionInsertAsync(new ActionInsertParams("test", ActionKinds.Start, $"old {i}", Now), Ct);
        }

        Now += TimeSpan.FromDays(10);
        await Store.ActionInsertAsync(new ActionInsertParams("test", ActionKinds.Start, "young", Now), Ct);
        await Store.WorkerUpdateManyAsync(new WorkerUpdateManyParams([new WorkerUpdate(live, WorkerState.Exited, null, 0, 0, 0, ExitReason: "exit 0")], Now), Ct);

        var removed = await PruneAllAsync(Cutoffs(TimeSpan.FromDays(5), batch: 2));

        Assert.Equal(new PruneCounts(0, 0, 0, 5, 0, 1, 1), removed);
        Assert.Equal(["young"], (await Store.ActionListAsync(new ActionListParams(), Ct)).Select(a => a.Reason));
        Assert.Equal([live], (await Store.WorkerListAsync(new WorkerListParams(IncludeExited: true), Ct)).Select(w => w.Id));
        // The command no monitor took yet stays, however old.
        Assert.Single(await Store.CommandTakeAsync(new CommandTakeParams("n", Now), Ct));
    }

    [Fact]
    public async Task Prune_RemovesThroughputMinutesOnlyOnceBothRollUpsHoldThem()
    {
        var start = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var samples = Enumerable.Range(0, 6 * 60).Select(m => new ThroughputSample(start.AddMinutes(m), 1, "t", 0, 10, 9, 1)).ToList();
        await Store.ThroughputAddAsync(new ThroughputAddParams(samples), Ct);
        Now = start.AddDays(30);
        var p = Cutoffs(TimeSpan.FromDays(1), batch: 50);
        Assert.Equal(0, (await Store.PruneCountAsync(p, Ct)).ThroughputMinutes);

        // Rolled up through the fourth hour only: the minutes after it stay until a roll-up holds them too.
        await Store.ThroughputRollUpAsync(new ThroughputRollUpParams(start.AddHours(4)), Ct);
        var removed = await PruneAllAsync(p);

        Assert.Equal(4 * 60, removed.ThroughputMinutes);
        var left = await Store.ThroughputListAsync(new ThroughputListParams(start, Now), Ct);
        Assert.Equal(2 * 60, left.Count);
        Assert.True(left.All(r => r.Bucket >= start.AddHours(4)));
        // The 2-hour roll-up still answers for the whole pruned range.
        var hourly = await Store.ThroughputListAsync(new ThroughputListParams(start, start.AddHours(4), StepMs: 7_200_000), Ct);
        Assert.Equal(4 * 60 * 10, hourly.Sum(r => r.Items));
    }

    private PruneParams Cutoffs(TimeSpan age, int batch) => new(Now, Now - age, Now - age, Now - age, Now - age, Now - age, batch);

    private async Task<PruneCounts> PruneAllAsync(PruneParams p)
    {
        var total = PruneCounts.Zero;
        for (var pass = 0; pass < 1000; pass++)
        {
            var batch = await Store.PruneBatchAsync(p, Ct);
            // No statement removes more than a batch.
            Assert.True(new[] { batch.Chunks, batch.Outputs, batch.Actions, batch.Workers, batch.Commands }.All(n => n <= p.Batch), batch.ToString());
            if (batch == PruneCounts.Zero)
            {
                return total;
            }

            total += batch;
        }

        throw new InvalidOperationException("Prune never finished.");
    }

    private async Task<JobSummary> SummaryAsync(long jobId) =>
        (await Store.JobListAsync(new JobListParams(1000), Ct)).Single(j => j.Job.Id == jobId);

    /// <summary>A finished job: <paramref name="chunks"/> map chunks each with an output, one total chunk with the result.</summary>
    private async Task<long> RunTwoStageJobAsync(long worker, int chunks)
    {
        var job = await Store.JobInsertAsync(
            new JobInsertParams($"job-{Guid.NewGuid():N}", TwoStages, "{}", Enumerable.Range(0, chunks).Select(i => $$"""{"n":{{i}}}"""), 0, 3, Now),
            Ct);
        for (var i = 0; i < chunks; i++)
        {
            var chunk = await ClaimOneAsync(worker, "m");
            await CheckpointAsync(chunk, "end", new ChunkCounters(10, 9, 1), complete: true, outputs: [new ChunkOutput($"n|{i}", "10")],
                emitted: i == 0 ? [new EmittedChunk(1, "s", "{}", "total")] : []);
        }

        await CheckpointAsync(await ClaimOneAsync(worker, "s"), "end", new ChunkCounters(1, 1, 0), complete: true, outputs: [new ChunkOutput("total|all", "30")]);
        Assert.Contains(job.JobId, await Store.JobFinishCompletedAsync(new JobFinishParams(Now), Ct));
        return job.JobId;
    }
}
