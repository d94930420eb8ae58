using HeavyJobs.Core.Model;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Dashboard;
using HeavyJobs.Storage.Jobs;

namespace HeavyJobs.Web.Queries;

/// <summary>
/// Counts for the pages from the roll-ups the fleet's manager keeps (chunk counts per job, stage and state; closed
/// hours of throughput), so a page at a million chunks reads a few rows. With <see cref="WebOptions.RecountOnRead"/>
/// every read recounts first, which is exact and slow: for tests and small stores without a manager.
/// </summary>
public sealed class DashboardRollups(IDashboardStore store, IRollupStore rollups, WebOptions options, TimeProvider time)
{
    /// <summary>An hour is folded this long after it closed, once its last samples have arrived (as the manager does).</summary>
    public static readonly TimeSpan ClosedAfter = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim _gate = new(1, 1);

    private async Task RecountAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            await rollups.JobStatsRefreshAsync(new JobStatsRefreshParams(now), cancellationToken);
            await rollups.ThroughputRollUpAsync(new ThroughputRollUpParams(now - ClosedAfter), cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The jobs with their chunks counted from the roll-up, and when each was counted (absent: not yet).</summary>
    public async Task<(List<JobSummary> Jobs, Dictionary<long, JobStats> Stats)> CountAsync(IReadOnlyList<JobSummary> jobs, CancellationToken cancellationToken)
    {
        if (options.RecountOnRead)
        {
            await RecountAsync(cancellationToken);
        }

        var stats = (await store.JobStatsListAsync(new JobStatsListParams(jobs.Select(j => j.Job.Id).ToList()), cancellationToken)).ToDictionary(s => s.JobId);
        var counted = jobs.Select(j => stats.TryGetValue(j.Job.Id, out var s)
                ? new JobSummary(
                    j.Job,
                    s.Rows.GroupBy(r => r.State).ToDictionary(g => g.Key, g => g.Sum(r => r.Chunks)),
                    s.Rows.Aggregate(ChunkCounters.Zero, (sum, r) => sum + r.Counters))
                : j)
            .ToList();
        return (counted, stats);
    }
}
