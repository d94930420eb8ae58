using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.KeySets;
using HeavyJobs.Storage.Politeness;

namespace HeavyJobs.Runtime.Worker.StoreAccess;

/// <summary>A worker's calls made on a store it opened itself (a foreground worker, or a monitor's worker on direct access).</summary>
public sealed class DirectStoreCalls(IWorkerStore store) : IWorkerStoreCalls
{
    public Task<IReadOnlyList<ClaimedChunk>> ChunkClaimAsync(ChunkClaimParams p, CancellationToken cancellationToken) => store.ChunkClaimAsync(p, cancellationToken);

    public Task<CheckpointOutcome> ChunkCheckpointAsync(ChunkCheckpointParams p, CancellationToken cancellationToken) => store.ChunkCheckpointAsync(p, cancellationToken);

    public Task<IReadOnlyList<long>> ChunkCompleteManyAsync(ChunkCompleteManyParams p, CancellationToken cancellationToken) => store.ChunkCompleteManyAsync(p, cancellationToken);

    public Task<CompletedAndClaimed> ChunkCompleteAndClaimAsync(ChunkCompleteAndClaimParams p, CancellationToken cancellationToken) => store.ChunkCompleteAndClaimAsync(p, cancellationToken);

    public Task<FailOutcome> ChunkFailAsync(ChunkFailParams p, CancellationToken cancellationToken) => store.ChunkFailAsync(p, cancellationToken);

    public Task<bool> ChunkReleaseAsync(ChunkReleaseParams p, CancellationToken cancellationToken) => store.ChunkReleaseAsync(p, cancellationToken);

    public async Task<string?> JobParametersAsync(long jobId, CancellationToken cancellationToken) => (await store.JobGetAsync(jobId, cancellationToken))?.Parameters;

    public Task<IReadOnlyList<KeySetEntry>> KeySetReadAsync(KeySetReadParams p, CancellationToken cancellationToken) => store.KeySetReadAsync(p, cancellationToken);

    public Task<IReadOnlyList<OutputRow>> OutputListAsync(OutputListParams p, CancellationToken cancellationToken) => store.OutputListAsync(p, cancellationToken);

    public Task<DateTimeOffset> RateReserveAsync(RateReserveParams p, CancellationToken cancellationToken) => store.RateReserveAsync(p, cancellationToken);

    public Task<bool> RateTurnStandsAsync(RateTurnParams p, CancellationToken cancellationToken) => store.RateTurnStandsAsync(p, cancellationToken);

    public Task<RateBackOff> RateBackOffAsync(RateBackOffParams p, CancellationToken cancellationToken) => store.RateBackOffAsync(p, cancellationToken);

    public Task<int?> ServerSlotAcquireAsync(ServerSlotAcquireParams p, CancellationToken cancellationToken) => store.ServerSlotAcquireAsync(p, cancellationToken);

    public Task<ServerTurn?> ServerTurnTakeAsync(ServerTurnTakeParams p, CancellationToken cancellationToken) => store.ServerTurnTakeAsync(p, cancellationToken);

    public Task ServerSlotReleaseAsync(ServerSlotReleaseParams p, CancellationToken cancellationToken) => store.ServerSlotReleaseAsync(p, cancellationToken);

    public Task ActionInsertAsync(ActionInsertParams p, CancellationToken cancellationToken) => store.ActionInsertAsync(p, cancellationToken);
}
