using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Retention;
using HeavyJobs.Storage.Workers;

namespace HeavyJobs.Storage.Conformance;

/// <summary>Chunk history for operators: every holder with its range and ending, a bounded list of checkpoints, and rewinds to them.</summary>
public abstract class ChunkHistoryConformance(IStoreProvider provider) : ConformanceBase(provider)
{
    [Fact]
    public async Task ChunkHistoryAsync_ShowsEveryHolderWithItsMachineRangeAndEnding_AndTheKeptCheckpoints()
    {
        await InsertJobAsync(1);
        var first = await WorkerAsync("m1");
        var second = await WorkerAsync("m2");
        var third = await WorkerAsync("m1");

        var chunk = await ClaimOneAsync(first);
        await CheckpointAsync(chunk, "10", new ChunkCounters(10, 10, 0));
        await CheckpointAsync(chunk, "20", new ChunkCounters(20, 20, 0));
        await Store.ChunkReclaimByWorkerAsync(new ChunkReclaimByWorkerParams(first, $"worker {first} died: signal 9", Now), Ct);
        Now += TimeSpan.FromSeconds(1);
        chunk = await ClaimOneAsync(second);
        await CheckpointAsync(chunk, "30", new ChunkCounters(30, 30, 0));
        await Store.ChunkReleaseAsync(new ChunkReleaseParams(chunk.Id, chunk.Epoch, Now), Ct);
        Now += TimeSpan.FromSeconds(1);
        chunk = await ClaimOneAsync(third);
        var holding = (await HistoryAsync(chunk.Id)).Holds[^1];
        Assert.Equal((third, "m1", "30", "30", HoldEndings.Holding), (holding.WorkerId, holding.Node, holding.FromCursor, holding.ToCursor, holding.Ended));
        await CheckpointAsync(chunk, "40", new ChunkCounters(40, 40, 0));
        // The burn-down's batched completion writes no history: its hold is read from the chunk.
        Assert.Equal([chunk.Id], await Store.ChunkCompleteManyAsync(new ChunkCompleteManyParams([new ChunkCompletion(chunk.Id, chunk.Epoch, "50", new ChunkCounters(50, 50, 0))], Now), Ct));

        var history = await HistoryAsync(chunk.Id);
        Assert.Equal(
            [
                (first, "m1", null, "20", HoldEndings.Died),
                (second, "m2", "20", "30", HoldEndings.Released),
                (third, "m1", "30", "50", HoldEndings.Done),
            ],
            history.Holds.Select(h => (h.WorkerId, h.Node, h.FromCursor, h.ToCursor, h.Ended)));
        Assert.Contains("signal 9", history.Holds[0].Reason, StringComparison.Ordinal);
        Assert.All(history.Holds, h => Assert.NotNull(h.EndedAt));
        Assert.Equal([4L, 3, 2, 1], history.Checkpoints.Select(c => c.Number));
        Assert.Equal(["40", "30", "20", "10"], history.Checkpoints.Select(c => c.Cursor));
        Assert.Equal(new ChunkCounters(20, 20, 0), history.Checkpoints[2].Counters);
    }

    [Fact]
    public async Task ChunkCheckpointAsync_KeepsOnlyTheLatestCheckpointsItIsToldTo()
    {
        await InsertJobAsync(1);
        var chunk = await ClaimOneAsync(1);
        for (var i = 1; i <= 7; i++)
        {
            await Store.ChunkCheckpointAsync(
                new ChunkCheckpointParams(chunk.Id, chunk.JobId, 0, chunk.Epoch, $"{i}", new ChunkCounters(i, i, 0), [], [], false, Now, Lease, KeepCheckpoints: 3),
                Ct);
        }

        Assert.Equal([7L, 6, 5], (await HistoryAsync(chunk.Id)).Checkpoints.Select(c => c.Number));
    }

    [Fact]
    public async Task ChunkRewindAsync_ToASecondCheckpoint_RemovesExactlyTheOutputsWrittenAfterIt_AndFencesTheHolder()
    {
        var job = await InsertJobAsync(1);
        var chunk = await ClaimOneAsync(1);
        await CheckpointAsync(chunk, "10", new ChunkCounters(10, 9, 1), outputs: [new ChunkOutput("a", "1")]);
        await CheckpointAsync(chunk, "20", new ChunkCounters(20, 19, 1), outputs: [new ChunkOutput("b", "1")]);
        await CheckpointAsync(chunk, "30", new ChunkCounters(30, 29, 1), outputs: [new ChunkOutput("c", "1"), new ChunkOutput("d", "1")]);

        var rewound = await Store.ChunkRewindAsync(new ChunkRewindParams(chunk.Id, 2, "alice", Now), Ct);

        Assert.Equal(new ChunkRewound(job.JobId, 2, "20", 2), rewound);
        Assert.Equal(["a", "b"], await OutputKeysAsync(job.JobId));
        var row = await GetAsync(chunk.Id);
        Assert.Equal((ChunkState.Pending, "20", new ChunkCounters(20, 19, 1), (long?)null), (row.State, row.Cursor, row.Counters, row.LeaseOwner));
        Assert.Contains("rewound to checkpoint 2 by alice", row.Errors, StringComparison.Ordinal);
        // The holder it had is fenced: its late checkpoint is refused and writes nothing.
        Assert.Equal(CheckpointOutcome.LeaseLost, await CheckpointAsync(chunk, "40", new ChunkCounters(40, 39, 1), outputs: [new ChunkOutput("e", "1")]));
        Assert.Equal(["a", "b"], await OutputKeysAsync(job.JobId));
        var history = await HistoryAsync(chunk.Id);
        Assert.Equal((null, "30", HoldEndings.Reset), (history.Holds.Single().FromCursor, history.Holds.Single().ToCursor, history.Holds.Single().Ended));
        Assert.Equal([2L, 1], history.Checkpoints.Select(c => c.Number));

        // The next holder goes on from there, numbering its checkpoints after it; a rewind to the last one removes
        // only what the completion wrote after it.
        var again = await ClaimOneAsync(2);
        Assert.Equal("20", again.Cursor);
        await CheckpointAsync(again, "30", new ChunkCounters(30, 29, 1), outputs: [new ChunkOutput("c2", "1")]);
        await Store.ChunkCompleteManyAsync(
            new ChunkCompleteManyParams([new ChunkCompletion(again.Id, again.Epoch, "35", new ChunkCounters(35, 34, 1), job.JobId, 0, [new ChunkOutput("f", "1")])], Now),
            Ct);
        Assert.Equal(["a", "b", "c2", "f"], await OutputKeysAsync(job.JobId));
        Assert.Equal([3L, 2, 1], (await HistoryAsync(chunk.Id)).Checkpoints.Select(c => c.Number));

        Assert.Equal(1, (await Store.ChunkRewindAsync(new ChunkRewindParams(chunk.Id, 3, "bob", Now), Ct))!.OutputsRemoved);
        Assert.Equal(["a", "b", "c2"], await OutputKeysAsync(job.JobId));
        var holds = (await HistoryAsync(chunk.Id)).Holds;
        // The done hold, kept on the chunk until the rewind, is history now.
        Assert.Equal([HoldEndings.Reset, HoldEndings.Done], holds.Select(h => h.Ended));
    }

    [Fact]
    public async Task ChunkRewindAsync_OfADoneChunk_ReopensItsJob_AndRefusesACheckpointNotKept()
    {
        var job = await InsertJobAsync(1);
        var chunk = await ClaimOneAsync(1);
        await CheckpointAsync(chunk, "10", new ChunkCounters(10, 10, 0), outputs: [new ChunkOutput("a", "1")]);
        await CheckpointAsync(chunk, "20", new ChunkCounters(20, 20, 0), complete: true, outputs: [new ChunkOutput("b", "1")]);
        Assert.Single(await Store.JobFinishCompletedAsync(new JobFinishParams(Now), Ct));

        Assert.Null(await Store.ChunkRewindAsync(new ChunkRewindParams(chunk.Id, 2, "x", Now), Ct));
        Assert.Null(await Store.ChunkRewindAsync(new ChunkRewindParams(chunk.Id + 1000, 0, "x", Now), Ct));
        var rewound = await Store.ChunkRewindAsync(new ChunkRewindParams(chunk.Id, 1, "x", Now), Ct);

        Assert.Equal(("10", 1L), (rewound!.Cursor, rewound.OutputsRemoved));
        Assert.Equal(JobState.Active, (await Store.JobGetAsync(job.JobId, Ct))!.State);
        Assert.Equal(ChunkState.Pending, (await GetAsync(chunk.Id)).State);
        Assert.Equal(["a"], await OutputKeysAsync(job.JobId));
    }

    [Fact]
    public async Task JobCancelAsync_EndsTheHoldsOfItsHeldChunksAsCancelled()
    {
        var job = await InsertJobAsync(2);
        var chunk = await ClaimOneAsync(1);
        await CheckpointAsync(chunk, "5", new ChunkCounters(5, 5, 0));

        Assert.True(await Store.JobCancelAsync(new JobChangeParams(job.JobId, Now), Ct));

        var hold = Assert.Single((await HistoryAsync(chunk.Id)).Holds);
        Assert.Equal((1L, "5", HoldEndings.Cancelled), (hold.WorkerId, hold.ToCursor, hold.Ended));
    }

    [Fact]
    public async Task PruneBatchAsync_RemovesThePrunedChunksHistory()
    {
        var job = await InsertJobAsync(1);
        var chunk = await ClaimOneAsync(1);
        await CheckpointAsync(chunk, "5", new ChunkCounters(5, 5, 0));
        await Store.ChunkReclaimByWorkerAsync(new ChunkReclaimByWorkerParams(1, "died", Now), Ct);
        chunk = await ClaimOneAsync(2);
        await CheckpointAsync(chunk, "9", new ChunkCounters(9, 9, 0), complete: true);
        await Store.JobFinishCompletedAsync(new JobFinishParams(Now), Ct);
        Assert.Equal(2, (await HistoryAsync(chunk.Id)).Holds.Count);

        Now += TimeSpan.FromDays(10);
        var p = new PruneParams(Now, Now, Now, Now, Now, Now, 10);
        while (await Store.PruneBatchAsync(p, Ct) != PruneCounts.Zero)
        {
        }

        Assert.Empty(await Store.ChunkListAsync(new ChunkListParams(job.JobId), Ct));
        // Neither its holders nor its checkpoints are left behind.
        Assert.Null(await Store.ChunkHistoryAsync(chunk.Id, Ct));
    }

    private async Task<long> WorkerAsync(string node) => await Store.WorkerRegisterAsync(new WorkerRegisterParams(node, 100, ["t"], "1", 0, Now), Ct);

    private async Task<ChunkHistory> HistoryAsync(long chunkId) => (await Store.ChunkHistoryAsync(chunkId, Ct))!;

    private async Task<List<string>> OutputKeysAsync(long jobId) =>
        [.. (await Store.OutputListAsync(new OutputListParams(jobId), Ct)).Select(o => o.Key).Order(StringComparer.Ordinal)];
}
