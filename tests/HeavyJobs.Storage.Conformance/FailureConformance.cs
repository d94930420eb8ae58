using System.Text.Json;
using HeavyJobs.Core.Model;
using HeavyJobs.Core.Retry;
using HeavyJobs.Storage.Chunks;

namespace HeavyJobs.Storage.Conformance;

public abstract class FailureConformance(IStoreProvider provider) : ConformanceBase(provider)
{
    [Fact]
    public async Task ChunkFailAsync_RetriesAfterBackoff_ThenFailsForGoodWithHistory()
    {
        await InsertJobAsync(1, maxAttempts: 3);
        var random = new Random(42);
        long chunkId = 0;
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var chunk = await ClaimOneAsync(attempt);
            chunkId = chunk.Id;
            Assert.Equal(attempt - 1, chunk.Attempts);
            var delay = RetryBackoff.Compute(attempt, random);
            var outcome = await Store.ChunkFailAsync(new ChunkFailParams(chunk.Id, chunk.Epoch, attempt, $"boom {attempt}", Now + delay, Now), Ct);

            Assert.True(outcome.Applied);
            if (attempt < 3)
            {
                Assert.Equal(ChunkState.Pending, outcome.State);
                // Not before its retry time...
                Assert.Empty(await Store.ChunkClaimAsync(new ChunkClaimParams(99, ["t"], 1, Now + delay - TimeSpan.FromMilliseconds(1), Lease), Ct));
                Now += delay;
            }
            else
            {
                Assert.Equal(ChunkState.Failed, outcome.State);
            }
        }

        var row = await GetAsync(chunkId);
        Assert.Equal(ChunkState.Failed, row.State);
        Assert.Equal(3, row.Attempts);
        using var errors = JsonDocument.Parse(row.Errors);
        Assert.Equal(["boom 1", "boom 2", "boom 3"], errors.RootElement.EnumerateArray().Select(e => e.GetProperty("error").GetString()));
        Assert.Empty(await Store.ChunkClaimAsync(new ChunkClaimParams(99, ["t"], 1, Now + TimeSpan.FromDays(1), Lease), Ct));
    }

    [Fact]
    public async Task ChunkFailAsync_KeepsTheLastCheckpoint()
    {
        await InsertJobAsync(1);
        var chunk = await ClaimOneAsync(1);
        await CheckpointAsync(chunk, "c", new ChunkCounters(3, 3, 0));

        await Store.ChunkFailAsync(new ChunkFailParams(chunk.Id, chunk.Epoch, 1, "boom", Now, Now), Ct);

        var retry = await ClaimOneAsync(2);
        Assert.Equal("c", retry.Cursor);
        Assert.Equal(1, retry.Attempts);
    }

    [Fact]
    public async Task ChunkFailAsync_StaleEpoch_IsNotApplied()
    {
        await InsertJobAsync(1);
        var chunk = await ClaimOneAsync(1);
        await Store.ChunkReclaimByWorkerAsync(new ChunkReclaimByWorkerParams(1, "killed", Now), Ct);

        var outcome = await Store.ChunkFailAsync(new ChunkFailParams(chunk.Id, chunk.Epoch, 1, "late", Now, Now), Ct);

        Assert.False(outcome.Applied);
        Assert.Equal(0, (await GetAsync(chunk.Id)).Attempts);
    }

    [Fact]
    public void RetryBackoff_GrowsExponentiallyWithJitter_AndIsCapped()
    {
        var random = new Random(1);
        for (var attempt = 1; attempt <= 12; attempt++)
        {
            var full = Math.Min(600_000, 2_000 * Math.Pow(2, attempt - 1));
            var d = RetryBackoff.Compute(attempt, random).TotalMilliseconds;
            Assert.InRange(d, full / 2, full);
        }
    }
}
