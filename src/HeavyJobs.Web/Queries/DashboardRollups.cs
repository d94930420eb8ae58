using HeavyJobs.Core.Model;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Dashboard;
using HeavyJobs.Storage.Jobs;

namespace HeavyJobs.Web.Queries;

/// <summary>
/// The roll-ups the pages read instead of scanning chunks and minute rows: chunk counts per job, stage and state,
/// recounted every <see cref="WebOptions.RollupInterval"/> (or ten times as long as a recount takes, whichever is
/// longer), and closed hours of throughput folded into hourly rows. With an interval of zero every read recounts
/// first, which is exact and slow: for tests.
/// </summary>
public sealed class DashboardRollups(IHeavyStore store, WebOptions options, TimeProvider time, ILogger<DashboardRollups> log)
{
    /// <summary>An hour is folded this long after it closed, once its last samples have arrived.</summary>
    public static readonly TimeSpan ClosedAfter = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>How long the last refresh took.</summary>
    public TimeSpan LastDuration { get; private set; }

    /// <summary>When the next background refresh is due: the interval, or ten times the last refresh if longer.</summary>
    public TimeSpan NextDelay => options.RollupInterval > LastDuration * 10 ? options.RollupInterval : LastDuration * 10;

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var started = time.GetTimestamp();
            var now = time.GetUtcNow();
            var counted = await store.JobStatsRefreshAsync(new JobStatsRefreshParams(now), cancellationToken);
            await store.ThroughputRollUpAsync(new ThroughputRollUpParams(now - ClosedAfter), cancellationToken);
            LastDuration = time.GetElapsedTime(started);
            if (LastDuration > TimeSpan.FromSeconds(1))
            {
                log.LogInformation("Recounted {Chunks} chunks of {Jobs} jobs in {Ms:0} ms", counted.Chunks, counted.Jobs, LastDuration.TotalMilliseconds);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The jobs with their chunks counted from the roll-up, and when each was counted (absent: not yet).</summary>
    public async Task<(List<JobSummary> Jobs, Dictionary<long, JobStats> Stats)> CountAsync(IReadOnlyList<JobSummary> jobs, CancellationToken cancellationToken)
    {
        if (options.RollupInterval == TimeSpan.Zero)
        {
            await RefreshAsync(cancellationToken);
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

/// <summary>Keeps the roll-ups fresh while the dashboard runs.</summary>
internal sealed class DashboardRollupService(DashboardRollups rollups, WebOptions options, TimeProvider time, ILogger<DashboardRollupService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.RollupInterval == TimeSpan.Zero)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await rollups.RefreshAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "refreshing the dashboard's roll-ups failed");
            }

            try
            {
                await Task.Delay(rollups.NextDelay, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
