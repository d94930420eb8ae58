using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.KeySets;
using HeavyJobs.Storage.Politeness;

namespace HeavyJobs.Runtime.Worker.StoreAccess;

/// <summary>
/// Every store call a <see cref="ChunkWorker"/> makes, and no other: small enough to be carried over a worker's
/// pipe to its monitor (<see cref="MonitorStoreCalls"/>), so that a machine's workers share the monitor's few
/// database connections instead of holding their own (<see cref="DirectStoreCalls"/>). Each call takes the store's
/// own parameter record, so the epoch that fences a chunk write reaches the store unchanged either way.
/// </summary>
public interface IWorkerStoreCalls
{
    Task<IReadOnlyList<ClaimedChunk>> ChunkClaimAsync(ChunkClaimParams p, CancellationToken cancellationToken);

    Task<CheckpointOutcome> ChunkCheckpointAsync(ChunkCheckpointParams p, CancellationToken cancellationToken);

    Task<IReadOnlyList<long>> ChunkCompleteManyAsync(ChunkCompleteManyParams p, CancellationToken cancellationToken);

    Task<CompletedAndClaimed> ChunkCompleteAndClaimAsync(ChunkCompleteAndClaimParams p, CancellationToken cancellationToken);

    Task<FailOutcome> ChunkFailAsync(ChunkFailParams p, CancellationToken cancellationToken);

    Task<bool> ChunkReleaseAsync(ChunkReleaseParams p, CancellationToken cancellationToken);

    /// <summary>The job's parameters as JSON; null for a job that is gone.</summary>
    Task<string?> JobParametersAsync(long jobId, CancellationToken cancellationToken);

    Task<IReadOnlyList<KeySetEntry>> KeySetReadAsync(KeySetReadParams p, CancellationToken cancellationToken);

    Task<IReadOnlyList<OutputRow>> OutputListAsync(OutputListParams p, CancellationToken cancellationToken);

    Task<DateTimeOffset> RateReserveAsync(RateReserveParams p, CancellationToken cancellationToken);

    Task<bool> RateTurnStandsAsync(RateTurnParams p, CancellationToken cancellationToken);

    Task<RateBackOff> RateBackOffAsync(RateBackOffParams p, CancellationToken cancellationToken);

    Task<int?> ServerSlotAcquireAsync(ServerSlotAcquireParams p, CancellationToken cancellationToken);

    Task ServerSlotReleaseAsync(ServerSlotReleaseParams p, CancellationToken cancellationToken);

    Task<ServerTurn?> ServerTurnTakeAsync(ServerTurnTakeParams p, CancellationToken cancellationToken);

    Task ActionInsertAsync(ActionInsertParams p, CancellationToken cancellationToken);
}
