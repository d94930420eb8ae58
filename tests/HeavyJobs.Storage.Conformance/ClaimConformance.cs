using System.Collections.Concurrent;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Chunks;

namespace HeavyJobs.Storage.Conformance;

public abstract class ClaimConformance(IStoreProvider provider) : ConformanceBase(provider)
{
    [Fact]
    public async Task ChunkClaimAsync_Batch_ClaimsUpToMaxInIdOrder()
    {
        await InsertJobAsync(10);

        var claimed = await Store.ChunkClaimAsync(new ChunkClaimParams(1, ["t"], 4, Now, Lease), Ct);

        Assert.Equal(4, claimed.Count);
        Assert.Equal(claimed.Select(c => c.Id).Order(), claimed.Select(c => c.Id));
        Assert.All(claimed, c => Assert.Equal(1, c.Epoch));
        var row = await GetAsync(claimed[0].Id);
        Assert.Equal(ChunkState.Running, row.State);
        Assert.Equal(1, row.LeaseOwner);
        Assert.Equal(Now + Lease, row.LeaseExpiresAt);
    }

    [Fact]
    public async Task ChunkClaimAsync_OnlyTheWorkersTypes()
    {
        await InsertJobAsync(2, type: "a");
        await InsertJobAsync(2, type: "b");

        var claimed = await Store.ChunkClaimAsync(new ChunkClaimParams(1, ["b"], 10, Now, Lease), Ct);

        Assert.Equal(2, claimed.Count);
        Assert.All(claimed, c => Assert.Equal("b", c.Type));
    }

    [Fact]
    public async Task ChunkClaimAsync_PartlyDoneFirst_ThenPriority_ThenAge()
    {
        var low = await InsertJobAsync(3, priority: 0);
        var high = await InsertJobAsync(2, priority: 5);
        // The last chunk of the low-priority job gets progress and is given back.
        var all = await Store.ChunkClaimAsync(new ChunkClaimParams(1, ["t"], 5, Now, Lease), Ct);
        var partly = all.Single(c => c.JobId == low.JobId && c.Id == all.Where(x => x.JobId == low.JobId).Max(x => x.Id));
        Assert.Equal(CheckpointOutcome.Committed, await CheckpointAsync(partly, "7", new ChunkCounters(7, 7, 0)));
        foreach (var chunk in all)
        {
            Assert.True(await Store.ChunkReleaseAsync(new ChunkReleaseParams(chunk.Id, chunk.Epoch, Now), Ct));
        }

        // Three of five: the store must pick by that order, not only hand out in it what it picked.
        List<ClaimedChunk> order =
        [
            .. await Store.ChunkClaimAsync(new ChunkClaimParams(2, ["t"], 3, Now, Lease), Ct),
            .. await Store.ChunkClaimAsync(new ChunkClaimParams(2, ["t"], 2, Now, Lease), Ct),
        ];

        Assert.Equal(partly.Id, order[0].Id);
        Assert.Equal("7", order[0].Cursor);
        Assert.Equal(new ChunkCounters(7, 7, 0), order[0].Counters);
        Assert.All(order.Skip(1).Take(2), c => Assert.Equal(high.JobId, c.JobId));
        Assert.All(order.Skip(3), c => Assert.Equal(low.JobId, c.JobId));
        Assert.True(order[1].Id < order[2].Id && order[3].Id < order[4].Id);
    }

    [Fact]
    public async Task ChunkClaimAsync_SixteenConcurrentWorkers_EveryChunkCompletesExactlyOnce()
    {
        const int Chunks = 20_000;
        const int Workers = 16;
        await InsertJobAsync(Chunks);
        var completions = new ConcurrentBag<long>();
        var stores = Enumerable.Range(0, Workers).Select(_ => Provider.OpenAnother(Store)).ToList();

        try
        {
            await Task.WhenAll(stores.Select((store, w) => Task.Run(
                async () =>
                {
                    var worker = w + 1;
                    while (true)
                    {
                        var claimed = await store.ChunkClaimAsync(new ChunkClaimParams(worker, ["t"], 25, Now, Lease), Ct);
                        if (claimed.Count == 0)
                        {
                            return;
                        }

                        var done = await store.ChunkCompleteManyAsync(
                            new ChunkCompleteManyParams(claimed.Select(c => new ChunkCompletion(c.Id, c.Epoch, "end", new ChunkCounters(1, 1, 0))).ToList(), Now),
                            Ct);
                        Assert.Equal(claimed.Count, done.Count);
                        foreach (var id in done)
                        {
                            completions.Add(id);
                        }
                    }
                },
                Ct)));
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }

        Assert.Equal(Chunks, completions.Count);
        Assert.Equal(Chunks, completions.Distinct().Count());
        var summary = Assert.Single(await Store.JobListAsync(new Jobs.JobListParams(), Ct));
        Assert.Equal(Chunks, summary.Count(ChunkState.Done));
        Assert.Equal(Chunks, summary.Counters.Done);
    }

    [Fact]
    public async Task ChunkClaimAsync_NothingPending_ReturnsEmpty()
    {
        var claimed = await Store.ChunkClaimAsync(new ChunkClaimParams(1, ["t"], 10, Now, Lease), Ct);

        Assert.Empty(claimed);
    }

    [Fact]
    public async Task ChunkReadyTypesAsync_OnlyTypesWithAChunkClaimableNow()
    {
        await InsertJobAsync(1, type: "a");
        await InsertJobAsync(1, type: "b");
        var b = await ClaimOneAsync(1, "b");
        await Store.ChunkFailAsync(new ChunkFailParams(b.Id, b.Epoch, 1, "x", Now + TimeSpan.FromMinutes(1), Now), Ct);

        Assert.Equal(["a"], await Store.ChunkReadyTypesAsync(["a", "b", "c"], Now, Ct));
        Assert.Equal(["a", "b"], await Store.ChunkReadyTypesAsync(["a", "b", "c"], Now + TimeSpan.FromMinutes(2), Ct));
    }
}
