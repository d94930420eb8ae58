using HeavyJobs.Storage;
using HeavyJobs.Storage.Dashboard;
using HeavyJobs.Storage.Pipelines;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Runtime.Manager;

/// <summary>
/// Keeps the roll-ups the dashboard reads fresh, whether or not a dashboard runs: chunk counts per job, stage and
/// state, and closed hours of throughput folded into coarser buckets.
/// </summary>
public sealed partial class RollupDuty(IRollupStore store, ManagerOptions options, TimeProvider time, ILogger<RollupDuty> logger) : IManagerDuty
{
    /// <summary>An hour is folded this long after it closed, once its last samples have arrived.</summary>
    public static readonly TimeSpan ClosedAfter = TimeSpan.FromMinutes(5);

    private long? _lastTs;
    private TimeSpan _lastDuration;
    private bool _wasActive = true;

    public async Task<DateTimeOffset?> RunAsync(ManagerAgenda agenda, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // While jobs run, and once more after the last one ended (its final counts), at the roll-up interval.
        var interval = agenda.ActiveJobs || _wasActive ? options.RollupInterval : options.IdleRollupInterval;
        if (_lastDuration * 10 > interval)
        {
            interval = _lastDuration * 10;
        }

        if (_lastTs is { } last && time.GetElapsedTime(last) < interval)
        {
            return now + (interval - time.GetElapsedTime(last));
        }

        var started = time.GetTimestamp();
        _lastTs = started;
        var counted = await store.JobStatsRefreshAsync(new JobStatsRefreshParams(now), cancellationToken);
        await store.ThroughputRollUpAsync(new ThroughputRollUpParams(now - ClosedAfter), cancellationToken);
        _lastDuration = time.GetElapsedTime(started);
        _wasActive = agenda.ActiveJobs;
        if (_lastDuration > TimeSpan.FromSeconds(1))
        {
            LogSlowRecount(logger, counted.Chunks, counted.Jobs, _lastDuration.TotalMilliseconds);
        }

        return now + (agenda.ActiveJobs ? options.RollupInterval : options.IdleRollupInterval);
    }

    [LoggerMessage(3002, LogLevel.Information, "Recounted {Chunks} chunks of {Jobs} jobs in {Ms:0} ms")]
    private static partial void LogSlowRecount(ILogger logger, long chunks, long jobs, double ms);
}
