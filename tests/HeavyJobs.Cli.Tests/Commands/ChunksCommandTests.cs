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
}
