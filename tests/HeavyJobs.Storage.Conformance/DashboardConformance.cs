using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Dashboard;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Throughput;

namespace HeavyJobs.Storage.Conformance;

/// <summary>The dashboard's roll-ups: chunk counts recounted off the workers' path, and throughput folded into coarser buckets.</summary>
public abstract class DashboardConformance(IStoreProvider provider) : ConformanceBase(provider)
{
    [Fact]
    public async Task JobStats_CountChunksPerStageAndState_AsOfTheLastRefresh()
    {
        var job = await InsertJobAsync(5);
        var worker = await Store.WorkerRegisterAsync(new Workers.WorkerRegisterParams("n", 1, ["t"], "1", 0, Now), Ct);
        Assert.Empty(await Store.JobStatsListAsync(new JobStatsListParams([job.JobId]), Ct));

        var chunk = await ClaimOneAsync(worker);
        await CheckpointAsync(chunk, "c", new ChunkCounters(7, 6, 1), complete: true);
        var refreshedAt = Now;
        var first = await Store.JobStatsRefreshAsync(new JobStatsRefreshParams(Now), Ct);
        Assert.True(first.Jobs >= 1);

        var stats = Assert.Single(await Store.JobStatsListAsync(new JobStatsListParams([job.JobId]), Ct));
        Assert.Equal(refreshedAt, stats.RefreshedAt);
        Assert.Equal(4, stats.Rows.Single(r => r.State == ChunkState.Pending).Chunks);
        var done = stats.Rows.Single(r => r.State == ChunkState.Done);
        Assert.Equal((0, 1L, new ChunkCounters(7, 6, 1)), (done.Stage, done.Chunks, done.Counters));

        // A change shows only after the next refresh: the workers' path writes nothing here.
        await ClaimOneAsync(worker);
        Assert.Equal(4, Assert.Single(await Store.JobStatsListAsync(new JobStatsListParams([job.JobId]), Ct)).Rows.Single(r => r.State == ChunkState.Pending).Chunks);
        Now += TimeSpan.FromSeconds(5);
        await Store.JobStatsRefreshAsync(new JobStatsRefreshParams(Now), Ct);
        var second = Assert.Single(await Store.JobStatsListAsync(new JobStatsListParams([job.JobId]), Ct));
        Assert.Equal(3, second.Rows.Single(r => r.State == ChunkState.Pending).Chunks);
        Assert.Equal(1, second.Rows.Single(r => r.State == ChunkState.Running).Chunks);
        Assert.Equal(Now, second.RefreshedAt);
    }

    [Fact]
    public async Task JobStats_CountWhatFinishedInThePaceWindow_AndGiveTheSameProgressAsAScan()
    {
        var job = await InsertJobAsync(4);
        var worker = await Store.WorkerRegisterAsync(new Workers.WorkerRegisterParams("n", 1, ["t"], "1", 0, Now), Ct);
        await CheckpointAsync(await ClaimOneAsync(worker), "c", new ChunkCounters(1, 1, 0), complete: true);
        Now += JobProgress.Window;
        await CheckpointAsync(await ClaimOneAsync(worker), "c", new ChunkCounters(1, 1, 0), complete: true);
        Now += TimeSpan.FromMinutes(1);
        await CheckpointAsync(await ClaimOneAsync(worker), "c", new ChunkCounters(1, 1, 0), complete: true);

        await Store.JobStatsRefreshAsync(new JobStatsRefreshParams(Now), Ct);
        var stats = Assert.Single(await Store.JobStatsListAsync(new JobStatsListParams([job.JobId]), Ct));
        Assert.Equal((3L, 2L), (stats.Rows.Single(r => r.State == ChunkState.Done).Chunks, stats.Rows.Single(r => r.State == ChunkState.Done).FinishedRecently));

        // The dashboard's progress from the recount is the status command's from a scan of the chunks.
        var row = (await Store.JobGetAsync(job.JobId, Ct))!;
        var scanned = await JobProgress.ReadAsync(Store, row, Now, Ct);
        var counted = JobProgress.From(row, stats);
        Assert.Equal(scanned.Eta, counted.Eta);
        Assert.Equal(
            scanned.Stages.Select(s => (s.Total, s.Done, s.Remaining, s.ChunksPerMinute, s.Eta)),
            counted.Stages.Select(s => (s.Total, s.Done, s.Remaining, s.ChunksPerMinute, s.Eta)));
    }

    [Fact]
    public async Task JobStats_AFinishedJobIsCountedOnceMore_ThenLeftAlone()
    {
        var job = await InsertJobAsync(1);
        await Store.JobStatsRefreshAsync(new JobStatsRefreshParams(Now), Ct);
        Now += TimeSpan.FromSeconds(1);
        await Store.JobCancelAsync(new JobChangeParams(job.JobId, Now), Ct);

        Now += TimeSpan.FromSeconds(1);
        await Store.JobStatsRefreshAsync(new JobStatsRefreshParams(Now), Ct);
        var stats = Assert.Single(await Store.JobStatsListAsync(new JobStatsListParams([job.JobId]), Ct));
        Assert.Equal(ChunkState.Cancelled, Assert.Single(stats.Rows).State);

        Now += TimeSpan.FromSeconds(1);
        Assert.Equal(0, (await Store.JobStatsRefreshAsync(new JobStatsRefreshParams(Now), Ct)).Jobs);
    }

    [Fact]
    public async Task Throughput_RolledUpBuckets_SumTheMinutes_AndStepsReadThemWithTheOpenTail()
    {
        var start = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        // Five hours of one sample a minute for two workers: items 1 and 2 a minute, one bad record in ten.
        var samples = Enumerable.Range(0, 300)
            .SelectMany(m => new[] { (Worker: 1L, Items: 1L), (Worker: 2L, Items: 2L) }.Select(w =>
                new ThroughputSample(start.AddMinutes(m), w.Worker, "t", 0, w.Items, m % 10 == 0 ? w.Items - 1 : w.Items, m % 10 == 0 ? 1 : 0)))
            .ToList();
        await Store.ThroughputAddAsync(new ThroughputAddParams(samples), Ct);

        // Folded up to 04:05: the 10-minute buckets up to 04:00, the 2-hour ones up to 04:00.
        var rolled = await Store.ThroughputRollUpAsync(new ThroughputRollUpParams(start.AddHours(4).AddMinutes(5)), Ct);
        Assert.Equal(start.AddHours(4), rolled.Upto);
        Assert.Equal((4 * 6) + 2, rolled.Buckets);
        Assert.Equal(0, (await Store.ThroughputRollUpAsync(new ThroughputRollUpParams(start.AddHours(4).AddMinutes(6)), Ct)).Buckets);

        // Late minutes of a closed bucket are not lost by a second fold of it.
        await Store.ThroughputAddAsync(new ThroughputAddParams([new ThroughputSample(start.AddHours(4).AddMinutes(59), 1, "t", 0, 100, 100, 0)]), Ct);

        foreach (var step in new[] { TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2) })
        {
            var rows = await Store.ThroughputListAsync(new ThroughputListParams(start.AddMinutes(3), start.AddHours(5), StepMs: (long)step.TotalMilliseconds), Ct);
            var raw = samples.Where(s => s.At >= start.AddMinutes(3)).Sum(s => s.Items) + 100;
            Assert.Equal(raw, rows.Sum(r => r.Items));
            Assert.All(rows, r => Assert.Equal(0, StoreTime.ToMs(r.Bucket) % (long)step.TotalMilliseconds));
            var w1 = rows.Where(r => r.WorkerId == 1).ToList();
            Assert.Equal(w1.Sum(r => r.Good) + w1.Sum(r => r.Bad), w1.Sum(r => r.Items));
            Assert.Equal(rows.Count, rows.Select(r => (r.Bucket, r.WorkerId)).Distinct().Count());
        }

        var filtered = await Store.ThroughputListAsync(new ThroughputListParams(start, start.AddHours(5), WorkerId: 2, StepMs: 7_200_000), Ct);
        Assert.Equal(600, filtered.Sum(r => r.Items));
        Assert.Equal([start, start.AddHours(2), start.AddHours(4)], filtered.Select(r => r.Bucket));
    }
}
