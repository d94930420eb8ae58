using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Pipelines;

namespace HeavyJobs.Storage.Conformance;

/// <summary>
/// A job's chunk pages and counts, read through the job-scoped indexes (open chunks by stage, settled ones by
/// state, held ones by owner), against a plain read of the whole table.
/// </summary>
public abstract class ChunkListConformance(IStoreProvider provider) : ConformanceBase(provider)
{
    [Fact]
    public async Task ChunkListAsync_EachJobAndState_GivesExactlyItsChunksInIdOrder_PageByPage()
    {
        var jobs = await ChunksInEveryStateAsync();
        var all = await Store.ChunkListAsync(new ChunkListParams(Limit: 100_000), Ct);
        Assert.Equal(Enum.GetValues<ChunkState>().Order(), all.Select(c => c.State).Distinct().Order());

        foreach (var job in jobs)
        {
            var mine = all.Where(c => c.JobId == job).ToList();
            Assert.Equal(mine.Select(c => c.Id), (await Store.ChunkListAsync(new ChunkListParams(job, Limit: 1000), Ct)).Select(c => c.Id));
            Assert.Equal(mine.Select(c => c.Id), await PagesAsync(job, null));
            foreach (var state in Enum.GetValues<ChunkState>())
            {
                var expected = mine.Where(c => c.State == state).Select(c => c.Id).ToList();
                Assert.Equal(expected, (await Store.ChunkListAsync(new ChunkListParams(job, state), Ct)).Select(c => c.Id));
                Assert.Equal(expected, await PagesAsync(job, state));
            }
        }
    }

    [Fact]
    public async Task FinishedAt_IsSetExactlyWhenTheStateIsFinal()
    {
        await ChunksInEveryStateAsync();

        var all = await Store.ChunkListAsync(new ChunkListParams(Limit: 100_000), Ct);

        Assert.All(all, c => Assert.True(c.State.IsFinal() == c.FinishedAt is not null, $"chunk {c.Id} is {c.State}, finished at {c.FinishedAt}"));
    }

    [Fact]
    public async Task JobCounts_AgreeWithTheChunksThemselves()
    {
        var jobs = await ChunksInEveryStateAsync();
        var all = await Store.ChunkListAsync(new ChunkListParams(Limit: 100_000), Ct);
        var summaries = await Store.JobListAsync(new JobListParams(), Ct);

        foreach (var job in jobs)
        {
            var mine = all.Where(c => c.JobId == job).ToList();
            var summary = summaries.Single(s => s.Job.Id == job);
            Assert.Equal(mine.CountBy(c => c.State).Select(p => (p.Key, (long)p.Value)).Order(), summary.ChunksByState.Select(p => (p.Key, p.Value)).Order());
            Assert.Equal(mine.Aggregate(ChunkCounters.Zero, (sum, c) => sum + c.Counters), summary.Counters);

            var stages = await Store.JobStageCountsAsync(new JobStageCountsParams(job, Now - TimeSpan.FromMinutes(1)), Ct);
            Assert.Equal(
                mine.GroupBy(c => (c.Stage, c.State)).Select(g => (g.Key.Stage, g.Key.State, (long)g.Count(), (long)g.Count(c => c.FinishedAt is not null))).Order(),
                stages.Select(s => (s.Stage, s.State, s.Chunks, s.FinishedSince)).Order());
        }
    }

    private async Task<List<long>> PagesAsync(long job, ChunkState? state)
    {
        var ids = new List<long>();
        long? after = null;
        while (await Store.ChunkListAsync(new ChunkListParams(job, state, after, Limit: 2), Ct) is { Count: > 0 } page)
        {
            ids.AddRange(page.Select(c => c.Id));
            after = page[^1].Id;
        }

        return ids;
    }

    /// <summary>Three jobs whose chunks are, between them, in every state; chunks of one state spread over stages.</summary>
    private async Task<long[]> ChunksInEveryStateAsync()
    {
        var pipeline = (await Store.JobInsertAsync(new JobInsertParams("pipe", ThreeStages, "{}", Enumerable.Repeat("{}", 8), 0, 1, Now), Ct)).JobId;
        var paused = (await InsertJobAsync(3, type: "n")).JobId;
        var cancelled = (await InsertJobAsync(2, type: "x")).JobId;

        // Fetch chunk 1 emits two parse chunks and two aggregate chunks (waiting for the barrier), then is done.
        var first = await ClaimOneAsync(1, "f");
        await CheckpointAsync(first, "1", new ChunkCounters(1, 1, 0), emitted:
            [new EmittedChunk(1, "p", "{}", "p1"), new EmittedChunk(1, "p", "{}", "p2"), new EmittedChunk(2, "a", "{}", "a1"), new EmittedChunk(2, "a", "{}", "a2")]);
        await CheckpointAsync(first, "2", new ChunkCounters(2, 2, 0), complete: true);

        var failed = await ClaimOneAsync(2, "f");
        await Store.ChunkFailAsync(new ChunkFailParams(failed.Id, failed.Epoch, 2, "boom", Now, Now), Ct);

        var quarantined = await ClaimOneAsync(3, "f");
        await CheckpointAsync(quarantined, "q", new ChunkCounters(4, 3, 1));
        await Store.ChunkReclaimByWorkerAsync(new ChunkReclaimByWorkerParams(3, "killed", Now, QuarantineAfter: 1), Ct);

        await ClaimOneAsync(4, "f");
        var parse = await ClaimOneAsync(5, "p");
        await CheckpointAsync(parse, null, new ChunkCounters(1, 1, 0), complete: true);
        await ClaimOneAsync(6, "p");
        Assert.Empty(await Store.JobAdvanceStagesAsync(new JobAdvanceParams(Now), Ct));

        // One chunk of the paused job is held when it pauses, the others are not.
        await ClaimOneAsync(7, "n");
        Assert.True(await Store.JobPauseAsync(new JobChangeParams(paused, Now), Ct));
        var done = await ClaimOneAsync(8, "x");
        await CheckpointAsync(done, null, ChunkCounters.Zero, complete: true);
        Assert.True(await Store.JobCancelAsync(new JobChangeParams(cancelled, Now), Ct));
        return [pipeline, paused, cancelled];
    }
}
