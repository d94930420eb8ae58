using HeavyJobs.Storage.Dashboard;

namespace HeavyJobs.Storage;

/// <summary>The roll-ups that pages read instead of scanning chunks and minute rows: derived data, safe to recompute from any process.</summary>
public interface IRollupStore
{
    /// <summary>
    /// Recounts chunks per job, stage and state into the roll-up the dashboard reads. The counting reads outside any
    /// write transaction, and nothing on the workers' path writes the roll-up, so claims and checkpoints never wait on it.
    /// </summary>
    Task<JobStatsRefreshed> JobStatsRefreshAsync(JobStatsRefreshParams p, CancellationToken cancellationToken);

    /// <summary>Folds closed hours of per-minute throughput into hourly rows; safe to repeat and to run from several processes.</summary>
    Task<ThroughputRolledUp> ThroughputRollUpAsync(ThroughputRollUpParams p, CancellationToken cancellationToken);
}
