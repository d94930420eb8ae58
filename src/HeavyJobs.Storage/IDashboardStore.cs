using HeavyJobs.Storage.Fleet;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Dashboard;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.KeySets;
using HeavyJobs.Storage.Monitoring;
using HeavyJobs.Storage.Nodes;
using HeavyJobs.Storage.Schedules;
using HeavyJobs.Storage.Throughput;
using HeavyJobs.Storage.Workers;

namespace HeavyJobs.Storage;

/// <summary>Reads only: what the dashboard, the read commands and every role may look at.</summary>
public interface IDashboardStore
{
    Task<JobRow?> JobGetAsync(long jobId, CancellationToken cancellationToken);

    Task<IReadOnlyList<JobSummary>> JobListAsync(JobListParams p, CancellationToken cancellationToken);

    /// <summary>One job's chunks counted per stage and state: what per-stage progress and ETA are made of.</summary>
    Task<IReadOnlyList<StageStateCount>> JobStageCountsAsync(JobStageCountsParams p, CancellationToken cancellationToken);

    Task<ChunkRow?> ChunkGetAsync(long chunkId, CancellationToken cancellationToken);

    Task<IReadOnlyList<ChunkRow>> ChunkListAsync(ChunkListParams p, CancellationToken cancellationToken);

    /// <summary>The chunk's holders and kept checkpoints; null when there is no such chunk.</summary>
    Task<ChunkHistory?> ChunkHistoryAsync(long chunkId, CancellationToken cancellationToken);

    Task<IReadOnlyList<OutputRow>> OutputListAsync(OutputListParams p, CancellationToken cancellationToken);

    Task<IReadOnlyList<NodeRow>> NodeListAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<FleetTargetRow>> FleetTargetListAsync(CancellationToken cancellationToken);

    /// <summary>The manager that leads, and its epoch.</summary>
    Task<LeaderRow> LeaderGetAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<WorkerRow>> WorkerListAsync(WorkerListParams p, CancellationToken cancellationToken);

    Task<IReadOnlyList<WorkerTargetRow>> WorkerTargetListAsync(string? node, CancellationToken cancellationToken);

    Task<IReadOnlyList<ActionRow>> ActionListAsync(ActionListParams p, CancellationToken cancellationToken);

    Task<IReadOnlyList<ThroughputRow>> ThroughputListAsync(ThroughputListParams p, CancellationToken cancellationToken);

    /// <summary>The last recount of the given jobs; a job never counted is absent.</summary>
    Task<IReadOnlyList<JobStats>> JobStatsListAsync(JobStatsListParams p, CancellationToken cancellationToken);

    /// <summary>How many keys each set (or one set) holds, and how many are stale.</summary>
    Task<IReadOnlyList<KeySetStatus>> KeySetStatusAsync(KeySetStatusParams p, CancellationToken cancellationToken);

    /// <summary>The keys of a job's key set with their latest records (empty when the job has no key set).</summary>
    Task<IReadOnlyList<KeySetEntry>> KeySetReadAsync(KeySetReadParams p, CancellationToken cancellationToken);

    Task<IReadOnlyList<ScheduleRow>> ScheduleListAsync(CancellationToken cancellationToken);
}
