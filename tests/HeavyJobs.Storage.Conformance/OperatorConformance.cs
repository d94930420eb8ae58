using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Monitoring;

namespace HeavyJobs.Storage.Conformance;

public abstract class OperatorConformance(IStoreProvider provider) : ConformanceBase(provider)
{
    [Fact]
    public async Task ChunkResetAsync_ToZero_ClearsProgressAndOutputs_AndBumpsEpoch()
    {
        var job = await InsertJobAsync(1);
        var chunk = await ClaimOneAsync(1);
        await CheckpointAsync(chunk, "5", new ChunkCounters(5, 4, 1), outputs: [new ChunkOutput("a", "1")]);

        Assert.True(await Store.ChunkResetAsync(new ChunkResetParams(chunk.Id, ToZero: true, "alice", Now), Ct));

        var row = await GetAsync(chunk.Id);
        Assert.Equal(ChunkState.Pending, row.State);
        Assert.Null(row.Cursor);
        Assert.Equal(ChunkCounters.Zero, row.Counters);
        Assert.Equal(chunk.Epoch + 1, row.Epoch);
        Assert.Null(row.LeaseOwner);
        Assert.Contains("reset to zero by alice", row.Errors, StringComparison.Ordinal);
        Assert.Empty(await Store.OutputListAsync(new OutputListParams(job.JobId), Ct));
        Assert.Equal(CheckpointOutcome.LeaseLost, await CheckpointAsync(chunk, "6", new ChunkCounters(6, 5, 1)));
    }

    [Fact]
    public async Task ChunkResetAsync_ToCheckpoint_KeepsProgress_AndBringsBackAQuarantinedChunk()
    {
        var job = await InsertJobAsync(1);
        var chunk = await ClaimOneAsync(1);
        await CheckpointAsync(chunk, "5", new ChunkCounters(5, 5, 0), outputs: [new ChunkOutput("a", "1")]);
        await Store.ChunkReclaimByWorkerAsync(new ChunkReclaimByWorkerParams(1, "killed", Now, QuarantineAfter: 1), Ct);
        Assert.Equal(ChunkState.Quarantined, (await GetAsync(chunk.Id)).State);

        Assert.True(await Store.ChunkResetAsync(new ChunkResetParams(chunk.Id, ToZero: false, "bob", Now), Ct));

        var again = await ClaimOneAsync(2);
        Assert.Equal("5", again.Cursor);
        Assert.Equal(new ChunkCounters(5, 5, 0), again.Counters);
        Assert.Single(await Store.OutputListAsync(new OutputListParams(job.JobId), Ct));
        Assert.Equal(0, (await GetAsync(chunk.Id)).Crashes);
    }

    [Fact]
    public async Task OperatorChanges_AreLoggedInTheirOwnTransaction_WithTheirJobAndChunk_OnlyWhenTheyHappen()
    {
        var job = await InsertJobAsync(1);
        var chunk = await ClaimOneAsync(1);
        await CheckpointAsync(chunk, "10", new ChunkCounters(10, 10, 0), outputs: [new ChunkOutput("a", "1")]);
        await CheckpointAsync(chunk, "20", new ChunkCounters(20, 20, 0), outputs: [new ChunkOutput("b", "1")]);
        ActionInsertParams Log(string kind, string reason) => new("op", kind, reason, Now);

        var rewound = await Store.ChunkRewindAsync(new ChunkRewindParams(chunk.Id, 1, "op", Now, Log(ActionKinds.Reset, "chunk rewound")), Ct);
        Assert.True(await Store.ChunkResetAsync(new ChunkResetParams(chunk.Id, ToZero: false, "op", Now, Log(ActionKinds.Reset, "chunk reset to its last checkpoint")), Ct));
        Assert.True(await Store.JobPauseAsync(new JobChangeParams(job.JobId, Now, Log("pause", "job paused")), Ct));
        Assert.False(await Store.JobPauseAsync(new JobChangeParams(job.JobId, Now, Log("pause", "job paused again")), Ct));
        var command = await Store.CommandInsertAsync(new CommandInsertParams("m1", "stop", 7, "op", Now, Log: Log("stop", "stop requested") with { Node = "m1", WorkerId = 7 }), Ct);

        var logged = (await Store.ActionListAsync(new ActionListParams(), Ct)).Reverse().ToList();
        Assert.Equal(
            [
                ("chunk rewound to checkpoint 1 (cursor 10); 1 output(s) written after it removed", (long?)job.JobId, (long?)chunk.Id),
                ("chunk reset to its last checkpoint", job.JobId, chunk.Id),
                ("job paused", job.JobId, null),
                ($"stop requested (command {command})", null, null),
            ],
            logged.Select(a => (a.Reason, a.JobId, a.ChunkId)));
        Assert.Equal($"chunk rewound {rewound!.Describe()}", logged[0].Reason);
        Assert.Equal(("m1", (long?)7), (logged[3].Node, logged[3].WorkerId));

        // A log entry the database refuses (no reason: the fault injected) takes its change down with it.
        await Assert.ThrowsAnyAsync<Exception>(() => Store.JobResumeAsync(new JobChangeParams(job.JobId, Now, Log("resume", null!)), Ct));
        Assert.Equal(JobState.Paused, (await Store.JobGetAsync(job.JobId, Ct))!.State);
        await Assert.ThrowsAnyAsync<Exception>(() => Store.ChunkResetAsync(new ChunkResetParams(chunk.Id, ToZero: true, "op", Now, Log(ActionKinds.Reset, null!)), Ct));
        Assert.Equal("10", (await GetAsync(chunk.Id)).Cursor);
        Assert.Equal(4, (await Store.ActionListAsync(new ActionListParams(), Ct)).Count);
    }

    [Fact]
    public async Task JobCancelAsync_CancelsEveryChunk_AndFencesHolders()
    {
        var job = await InsertJobAsync(3);
        var held = await ClaimOneAsync(1);

        Assert.True(await Store.JobCancelAsync(new JobChangeParams(job.JobId, Now), Ct));

        Assert.Equal(CheckpointOutcome.LeaseLost, await CheckpointAsync(held, "1", new ChunkCounters(1, 1, 0)));
        Assert.All(await Store.ChunkListAsync(new ChunkListParams(job.JobId), Ct), c => Assert.Equal(ChunkState.Cancelled, c.State));
        Assert.Equal(JobState.Cancelled, (await Store.JobGetAsync(job.JobId, Ct))!.State);
        Assert.False(await Store.ChunkResetAsync(new ChunkResetParams(held.Id, true, "x", Now), Ct));
        Assert.False(await Store.JobCancelAsync(new JobChangeParams(job.JobId, Now), Ct));
    }

    [Fact]
    public async Task JobPauseAsync_StopsClaims_LetsHolderCheckpointAndYield_ResumeBringsAllBack()
    {
        var job = await InsertJobAsync(3);
        var held = await ClaimOneAsync(1);

        Assert.True(await Store.JobPauseAsync(new JobChangeParams(job.JobId, Now), Ct));

        Assert.Empty(await Store.ChunkClaimAsync(new ChunkClaimParams(2, ["t"], 10, Now, Lease), Ct));
        Assert.Equal(CheckpointOutcome.Yield, await CheckpointAsync(held, "2", new ChunkCounters(2, 2, 0)));
        Assert.True(await Store.ChunkReleaseAsync(new ChunkReleaseParams(held.Id, held.Epoch, Now), Ct));
        Assert.Equal(ChunkState.Paused, (await GetAsync(held.Id)).State);
        Assert.Equal(JobState.Paused, (await Store.JobGetAsync(job.JobId, Ct))!.State);

        Assert.True(await Store.JobResumeAsync(new JobChangeParams(job.JobId, Now), Ct));

        var all = await Store.ChunkClaimAsync(new ChunkClaimParams(2, ["t"], 10, Now, Lease), Ct);
        Assert.Equal(3, all.Count);
        Assert.Equal(held.Id, all[0].Id);
        Assert.Equal("2", all[0].Cursor);
    }

    [Fact]
    public async Task JobFinishCompletedAsync_CompletesJobsWithNothingLeft_AndFailsThoseWithFailedChunks()
    {
        var good = await InsertJobAsync(2, maxAttempts: 1);
        var bad = await InsertJobAsync(1, maxAttempts: 1);
        var open = await InsertJobAsync(1, maxAttempts: 1);
        var claimed = await Store.ChunkClaimAsync(new ChunkClaimParams(1, ["t"], 3, Now, Lease), Ct);
        foreach (var c in claimed.Where(c => c.JobId == good.JobId))
        {
            await CheckpointAsync(c, null, new ChunkCounters(1, 1, 0), complete: true);
        }

        var b = claimed.Single(c => c.JobId == bad.JobId);
        await Store.ChunkFailAsync(new ChunkFailParams(b.Id, b.Epoch, 1, "boom", Now, Now), Ct);

        // Each end is logged in the transaction that makes it, from how the job ended; an entry the database
        // refuses (no reason: the fault injected) takes every end down with it.
        ActionInsertParams Ended(FinishedJob job, string? reason) => new("manager", job.State == JobState.Failed ? ActionKinds.JobFailed : ActionKinds.JobCompleted, reason!, Now, JobId: job.JobId);
        await Assert.ThrowsAnyAsync<Exception>(() => Store.JobFinishCompletedAsync(new JobFinishParams(Now, Log: j => Ended(j, null)), Ct));
        Assert.Equal(JobState.Active, (await Store.JobGetAsync(good.JobId, Ct))!.State);
        Assert.Empty(await Store.ActionListAsync(new ActionListParams(), Ct));

        var finished = await Store.JobFinishCompletedAsync(new JobFinishParams(Now, Log: j => Ended(j, $"job {j.JobId} ended")), Ct);

        Assert.Equal([good.JobId, bad.JobId], finished.Order());
        Assert.Equal(JobState.Completed, (await Store.JobGetAsync(good.JobId, Ct))!.State);
        Assert.Equal(JobState.Failed, (await Store.JobGetAsync(bad.JobId, Ct))!.State);
        Assert.Equal(JobState.Active, (await Store.JobGetAsync(open.JobId, Ct))!.State);
        var logged = await Store.ActionListAsync(new ActionListParams(), Ct);
        Assert.Equal(
            [((long?)good.JobId, ActionKinds.JobCompleted), (bad.JobId, ActionKinds.JobFailed)],
            logged.Select(a => (a.JobId, a.Kind)).Order());
        Assert.Empty(await Store.JobFinishCompletedAsync(new JobFinishParams(Now, Log: _ => throw new InvalidOperationException("asked")), Ct));

        Assert.True(await Store.ChunkResetAsync(new ChunkResetParams(b.Id, true, "ops", Now), Ct));
        Assert.Equal(JobState.Active, (await Store.JobGetAsync(bad.JobId, Ct))!.State);
    }

    [Fact]
    public async Task JobListAsync_CountsChunksByStateAndSumsCounters()
    {
        var job = await InsertJobAsync(4);
        var c = await ClaimOneAsync(1);
        await CheckpointAsync(c, "x", new ChunkCounters(10, 8, 2), complete: true);

        var summary = Assert.Single(await Store.JobListAsync(new JobListParams(), Ct));

        Assert.Equal(job.JobId, summary.Job.Id);
        Assert.Equal(4, summary.ChunkCount);
        Assert.Equal(1, summary.Count(ChunkState.Done));
        Assert.Equal(3, summary.Count(ChunkState.Pending));
        Assert.Equal(new ChunkCounters(10, 8, 2), summary.Counters);
        Assert.Equal("main", Assert.Single(summary.Job.Stages).Name);
    }
}
