using HeavyJobs.Storage.Nodes;
using HeavyJobs.Storage.Fleet;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.KeySets;
using HeavyJobs.Storage.Monitoring;
using HeavyJobs.Storage.Schedules;

namespace HeavyJobs.Storage;

/// <summary>What operators change, from the command line, the dashboard and the API: jobs, chunks, targets, commands, schedules and key sets.</summary>
public interface IOperatorStore : IActionLog
{
    Task<JobInserted> JobInsertAsync(JobInsertParams p, CancellationToken cancellationToken);

    Task<bool> JobCancelAsync(JobChangeParams p, CancellationToken cancellationToken);

    Task<bool> JobPauseAsync(JobChangeParams p, CancellationToken cancellationToken);

    Task<bool> JobResumeAsync(JobChangeParams p, CancellationToken cancellationToken);

    /// <summary>Resets a chunk to zero or to its last checkpoint; bumps the epoch so its holder can commit nothing more.</summary>
    Task<bool> ChunkResetAsync(ChunkResetParams p, CancellationToken cancellationToken);

    /// <summary>Rewinds a chunk to a kept checkpoint (<see cref="ChunkRewindParams"/>); null when the chunk, or that checkpoint, is not there, or its job was cancelled.</summary>
    Task<ChunkRewound?> ChunkRewindAsync(ChunkRewindParams p, CancellationToken cancellationToken);

    /// <summary>Sets how many workers of a type should run on a machine; wakes its monitor.</summary>
    Task WorkerTargetSetAsync(WorkerTargetSetParams p, CancellationToken cancellationToken);

    /// <summary>Sets the fleet-wide count of a type, which the leading manager spreads over the machines that are up.</summary>
    Task FleetTargetSetAsync(FleetTargetSetParams p, CancellationToken cancellationToken);

    /// <summary>Hands a machine's count of a type back to the fleet spread.</summary>
    Task WorkerTargetUnpinAsync(WorkerTargetUnpinParams p, CancellationToken cancellationToken);

    /// <summary>Drains (true) or undrains a machine; false if it already was.</summary>
    Task<bool> NodeDrainAsync(NodeDrainParams p, CancellationToken cancellationToken);

    /// <summary>Queues a command for a machine's monitor; wakes it.</summary>
    Task<long> CommandInsertAsync(CommandInsertParams p, CancellationToken cancellationToken);

    Task<long> ScheduleUpsertAsync(ScheduleUpsertParams p, CancellationToken cancellationToken);

    /// <summary>Adds keys to a key set; returns how many were new.</summary>
    Task<long> KeySetLoadAsync(KeySetLoadParams p, CancellationToken cancellationToken);

    /// <summary>The keys of a set that need a refresh, never-refreshed and oldest first.</summary>
    Task<IReadOnlyList<string>> KeySetStaleAsync(KeySetStaleParams p, CancellationToken cancellationToken);
}
