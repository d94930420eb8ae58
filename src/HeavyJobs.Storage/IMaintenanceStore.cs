using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Pipelines;
using HeavyJobs.Storage.Schedules;

namespace HeavyJobs.Storage;

/// <summary>What the fleet's manager does: pipelines, job roll-up, schedules, expired leases, roll-ups and retention.</summary>
public interface IMaintenanceStore : IDashboardStore, IRollupStore, IPruneStore, IActionLog, IChangeSource
{
    /// <summary>Whether any job is active, and when the next schedule and the next lease fall due.</summary>
    Task<ManagerAgenda> ManagerAgendaAsync(CancellationToken cancellationToken);

    /// <summary>Marks active jobs with no chunk left to run as completed (or failed, if a chunk failed).</summary>
    Task<IReadOnlyList<long>> JobFinishCompletedAsync(JobFinishParams p, CancellationToken cancellationToken);

    /// <summary>Releases barrier stages whose earlier stages have nothing left to run.</summary>
    Task<IReadOnlyList<StageReleased>> JobAdvanceStagesAsync(JobAdvanceParams p, CancellationToken cancellationToken);

    Task ScheduleAdvanceAsync(ScheduleAdvanceParams p, CancellationToken cancellationToken);

    /// <summary>Returns chunks whose lease ran out to the pool, cursor kept, and counts the crash.</summary>
    Task<IReadOnlyList<ReclaimedChunk>> ChunkReclaimExpiredAsync(ChunkReclaimExpiredParams p, CancellationToken cancellationToken);
}
