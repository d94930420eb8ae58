using HeavyJobs.Storage.Fleet;
using HeavyJobs.Storage.Nodes;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Pipelines;
using HeavyJobs.Storage.Schedules;

namespace HeavyJobs.Storage;

/// <summary>What the fleet's manager does: pipelines, job roll-up, schedules, expired leases, roll-ups, retention and the fleet's machines.</summary>
public interface IMaintenanceStore : IDashboardStore, IRollupStore, IPruneStore, IActionLog, IChangeSource, IStoreLocks
{
    /// <summary>Whether any job is active, and when the next schedule and the next lease fall due.</summary>
    Task<ManagerAgenda> ManagerAgendaAsync(ManagerAgendaParams p, CancellationToken cancellationToken);

    /// <summary>Marks active jobs with no chunk left to run as completed (or failed, if a chunk failed).</summary>
    Task<IReadOnlyList<long>> JobFinishCompletedAsync(JobFinishParams p, CancellationToken cancellationToken);

    /// <summary>Releases barrier stages whose earlier stages have nothing left to run.</summary>
    Task<IReadOnlyList<StageReleased>> JobAdvanceStagesAsync(JobAdvanceParams p, CancellationToken cancellationToken);

    Task ScheduleAdvanceAsync(ScheduleAdvanceParams p, CancellationToken cancellationToken);

    /// <summary>Returns chunks whose lease ran out to the pool, cursor kept, and counts the crash.</summary>
    Task<IReadOnlyList<ReclaimedChunk>> ChunkReclaimExpiredAsync(ChunkReclaimExpiredParams p, CancellationToken cancellationToken);

    /// <summary>Declares a machine dead if it still has not beaten since the cutoff: its workers lost, their chunks freed. Null if it beat.</summary>
    Task<NodeDeclaredDead?> NodeDeclareDeadAsync(NodeDeclareDeadParams p, CancellationToken cancellationToken);

    /// <summary>Starts a new leadership epoch (the caller holds the leader's lock); returns it.</summary>
    Task<long> LeaderTakeAsync(LeaderTakeParams p, CancellationToken cancellationToken);

    /// <summary>Writes the manager's spread of fleet targets to machines' rows that no operator pinned; returns how many changed.</summary>
    Task<int> WorkerTargetSpreadAsync(WorkerTargetSpreadParams p, CancellationToken cancellationToken);
}
