using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Sqlite;

namespace HeavyJobs.Cli.Tests.Commands;

public sealed class ChunksCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Release_AQuarantinedChunk_RunsAgainFromItsCheckpoint_AndAChunkNotQuarantinedIsRefused()
    {
        var db = HeavyjobsProcess.NewDbPath();
        var now = TimeProvider.System.GetUtcNow();
        long chunkId;
        await using (var store = new SqliteStore(db))
        {
            await store.MigrateAsync(Ct);
            await store.JobInsertAsync(new JobInsertParams("q", [new StageDefinition("main", "t", StageMode.Streaming)], "{}", ["{}"], 0, 3, now), Ct);
            var chunk = Assert.Single(await store.ChunkClaimAsync(new ChunkClaimParams(1, ["t"], 1, now, TimeSpan.FromMinutes(1)), Ct));
            chunkId = chunk.Id;
            await store.ChunkCheckpointAsync(new ChunkCheckpointParams(chunk.Id, chunk.JobId, chunk.Stage, chunk.Epoch, "7", new ChunkCounters(7, 7, 0), [], [], false, now, TimeSpan.FromMinutes(1)), Ct);
            await store.ChunkReclaimByWorkerAsync(new ChunkReclaimByWorkerParams(1, "killed", now, QuarantineAfter: 1), Ct);
            Assert.Equal(ChunkState.Quarantined, (await store.ChunkGetAsync(chunkId, Ct))!.State);
        }

        var id = chunkId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (exit, output, err) = await HeavyjobsProcess.RunAsync(db, Ct, "chunks", "release", id);

        Assert.True(exit == 0, output + err);
        Assert.Contains($"chunk {id} released from quarantine", output, StringComparison.Ordinal);
        await using (var store = new SqliteStore(db))
        {
            var row = (await store.ChunkGetAsync(chunkId, Ct))!;
            Assert.Equal((ChunkState.Pending, 0, "7", 7L), (row.State, row.Crashes, row.Cursor, row.Counters.Done));
            Assert.Contains(await store.ActionListAsync(new ActionListParams(Kind: ActionKinds.Release), Ct), a => a.ChunkId == chunkId);
        }

        var (again, _, refusal) = await HeavyjobsProcess.RunAsync(db, Ct, "chunks", "release", id);
        Assert.Equal(2, again);
        Assert.Contains("is pending, not quarantined", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rewind_ByCursorOrNumber_GoesBackToThatKeptCheckpoint_AndHistoryListsItsHoldersAndCheckpoints()
    {
        var db = HeavyjobsProcess.NewDbPath();
        var now = TimeProvider.System.GetUtcNow();
        var lease = TimeSpan.FromMinutes(1);
        long chunkId;
        long jobId;
        await using (var store = new SqliteStore(db))
        {
            await store.MigrateAsync(Ct);
            jobId = (await store.JobInsertAsync(new JobInsertParams("r", [new StageDefinition("main", "t", StageMode.Streaming)], "{}", ["{}"], 0, 3, now), Ct)).JobId;
            var chunk = Assert.Single(await store.ChunkClaimAsync(new ChunkClaimParams(1, ["t"], 1, now, lease), Ct));
            chunkId = chunk.Id;
            foreach (var (cursor, done) in new[] { ("a", 1L), ("b", 2L), ("c", 3L) })
            {
                await store.ChunkCheckpointAsync(
                    new ChunkCheckpointParams(chunk.Id, chunk.JobId, chunk.Stage, chunk.Epoch, cursor, new ChunkCounters(done, done, 0), [new ChunkOutput(cursor, "1")], [], false, now, lease),
                    Ct);
            }

            await store.ChunkReclaimByWorkerAsync(new ChunkReclaimByWorkerParams(1, "worker 1 died: signal 9", now), Ct);
        }

        var id = chunkId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (exit, history, err) = await HeavyjobsProcess.RunAsync(db, Ct, "chunks", "history", id);
        Assert.True(exit == 0, history + err);
        Assert.Contains("(start) -> c", history, StringComparison.Ordinal);
        Assert.Contains("died (worker 1 died: signal 9)", history, StringComparison.Ordinal);
        Assert.Contains("#2     cursor b", history, StringComparison.Ordinal);

        (exit, var output, err) = await HeavyjobsProcess.RunAsync(db, Ct, "chunks", "rewind", id, "--to", "b");
        Assert.True(exit == 0, output + err);
        Assert.Contains("rewound to checkpoint 2 (cursor b); 1 output(s) written after it removed", output, StringComparison.Ordinal);
        (exit, output, err) = await HeavyjobsProcess.RunAsync(db, Ct, "chunks", "rewind", id, "--to", "#1");
        Assert.True(exit == 0, output + err);
        await using (var store = new SqliteStore(db))
        {
            Assert.Equal(["a"], (await store.OutputListAsync(new OutputListParams(jobId), Ct)).Select(o => o.Key));
            Assert.Equal("a", (await store.ChunkGetAsync(chunkId, Ct))!.Cursor);
            Assert.Equal(2, (await store.ActionListAsync(new ActionListParams(Kind: ActionKinds.Reset), Ct)).Count(a => a.ChunkId == chunkId));
        }

        var (refused, _, why) = await HeavyjobsProcess.RunAsync(db, Ct, "chunks", "rewind", id, "--to", "3");
        Assert.Equal(2, refused);
        Assert.Contains("keeps no checkpoint '3'", why, StringComparison.Ordinal);
    }
}
