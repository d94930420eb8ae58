using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Politeness;
using HeavyJobs.Storage.Throughput;
using HeavyJobs.Storage.Workers;

namespace HeavyJobs.Storage;

/// <summary>What a worker needs: claims, checkpoints, completions, the politeness of external servers, its own row and throughput, and a wake-up when work may exist.</summary>
public interface IWorkerStore : IDashboardStore, IActionLog, IChangeSource
{
    Task<IReadOnlyList<ClaimedChunk>> ChunkClaimAsync(ChunkClaimParams p, CancellationToken cancellationToken);

    Task<CheckpointOutcome> ChunkCheckpointAsync(ChunkCheckpointParams p, CancellationToken cancellationToken);

    /// <summary>Completes many held chunks at once; returns the ids that were completed (the others were no longer held).</summary>
    Task<IReadOnlyList<long>> ChunkCompleteManyAsync(ChunkCompleteManyParams p, CancellationToken cancellationToken);

    /// <summary>Completes a batch and takes the next claim in one transaction: a busy worker's one write per round.</summary>
    Task<CompletedAndClaimed> ChunkCompleteAndClaimAsync(ChunkCompleteAndClaimParams p, CancellationToken cancellationToken);

    Task<FailOutcome> ChunkFailAsync(ChunkFailParams p, CancellationToken cancellationToken);

    /// <summary>Gives a held chunk back at its last checkpoint (a graceful stop); counts no attempt.</summary>
    Task<bool> ChunkReleaseAsync(ChunkReleaseParams p, CancellationToken cancellationToken);

    /// <summary>Extends the leases of every chunk the workers hold, in one statement; returns what they still hold.</summary>
    Task<IReadOnlyList<HeldChunk>> ChunkLeaseExtendAsync(ChunkLeaseExtendParams p, CancellationToken cancellationToken);

    /// <summary>Reserves a start time for one request to an external server, spaced fleet-wide.</summary>
    Task<DateTimeOffset> RateReserveAsync(RateReserveParams p, CancellationToken cancellationToken);

    /// <summary>Whether a turn reserved at <see cref="RateTurnParams.ReservedAt"/> may still be used: false once the server pushed back since.</summary>
    Task<bool> RateTurnStandsAsync(RateTurnParams p, CancellationToken cancellationToken);

    /// <summary>Pauses and then slows every worker's starts at a server that pushed back.</summary>
    Task<RateBackOff> RateBackOffAsync(RateBackOffParams p, CancellationToken cancellationToken);

    /// <summary>Takes a free concurrency slot of a server; null when all are busy.</summary>
    Task<int?> ServerSlotAcquireAsync(ServerSlotAcquireParams p, CancellationToken cancellationToken);

    Task ServerSlotReleaseAsync(ServerSlotReleaseParams p, CancellationToken cancellationToken);

    /// <summary>
    /// Takes a free slot of a server (or renews one the caller holds) and reserves its next start, in one
    /// transaction; null, with no start reserved, when every slot is busy.
    /// </summary>
    Task<ServerTurn?> ServerTurnTakeAsync(ServerTurnTakeParams p, CancellationToken cancellationToken);

    Task<long> WorkerRegisterAsync(WorkerRegisterParams p, CancellationToken cancellationToken);

    /// <summary>Records the state of many workers at once (a monitor's heartbeat for all its workers).</summary>
    Task WorkerUpdateManyAsync(WorkerUpdateManyParams p, CancellationToken cancellationToken);

    /// <summary>Adds samples into per-minute buckets (upsert), in one statement.</summary>
    Task ThroughputAddAsync(ThroughputAddParams p, CancellationToken cancellationToken);
}
