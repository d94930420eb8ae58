using HeavyJobs.Core.Model;

namespace HeavyJobs.Storage.Dashboard;

/// <summary>Chunks of one job's stage in one state, with their summed counters, as of the last recount.</summary>
/// <param name="FinishedRecently">
/// Of those, the chunks that finished in the <see cref="Jobs.JobProgress.Window"/> before the recount: the stage's pace.
/// </param>
public sealed record JobStatsRow(long JobId, int Stage, ChunkState State, long Chunks, ChunkCounters Counters, long FinishedRecently = 0);

/// <summary>A job's recounted chunks, and when they were counted.</summary>
public sealed record JobStats(long JobId, DateTimeOffset RefreshedAt, IReadOnlyList<JobStatsRow> Rows)
{
    /// <summary>The rows as <see cref="Jobs.JobProgress"/> takes them, paced as of <see cref="RefreshedAt"/>.</summary>
    public IReadOnlyList<Jobs.StageStateCount> StageCounts =>
        Rows.Select(r => new Jobs.StageStateCount(r.Stage, r.State, r.Chunks, r.Counters, r.FinishedRecently)).ToList();
}

/// <summary>
/// Recount the chunks of every job that can still change (active, paused, failed), of jobs never counted, and of
/// jobs that finished after their last count; with how many of each finished in the <see cref="Jobs.JobProgress.Window"/>
/// before <paramref name="Now"/>.
/// </summary>
public sealed record JobStatsRefreshParams(DateTimeOffset Now);

/// <param name="Jobs">How many jobs were recounted.</param>
/// <param name="Chunks">How many chunks those jobs have.</param>
public sealed record JobStatsRefreshed(int Jobs, long Chunks);

public sealed record JobStatsListParams(IReadOnlyList<long> JobIds);

/// <summary>Fold the per-minute throughput of every 10-minute and 2-hour bucket that closed before <paramref name="Upto"/> into its roll-up.</summary>
public sealed record ThroughputRollUpParams(DateTimeOffset Upto);

/// <param name="Buckets">Buckets folded by this call, over all roll-ups.</param>
/// <param name="Upto">Every roll-up is complete before this time.</param>
public sealed record ThroughputRolledUp(int Buckets, DateTimeOffset Upto);
