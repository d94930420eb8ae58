using System.Text.Json;
using System.Text.Json.Nodes;
using HeavyJobs.Runtime.Protocol;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.KeySets;
using HeavyJobs.Storage.Politeness;

namespace HeavyJobs.Runtime.Worker.StoreAccess;

/// <summary>
/// A monitored worker's store calls, carried over its pipe to its monitor, which makes them on its own few
/// connections: a machine then holds a handful of database sessions however many workers it runs. Each call
/// carries the store's parameter record as it is, epoch and all.
/// </summary>
public sealed class MonitorStoreCalls(PipeWorkerHost pipe) : IWorkerStoreCalls
{
    public async Task<IReadOnlyList<ClaimedChunk>> ChunkClaimAsync(ChunkClaimParams p, CancellationToken cancellationToken) =>
        Read<List<ClaimedChunk>>(await pipe.CallAsync(StoreCalls.ChunkClaim, p, cancellationToken)) ?? [];

    public async Task<CheckpointOutcome> ChunkCheckpointAsync(ChunkCheckpointParams p, CancellationToken cancellationToken) =>
        Read<CheckpointOutcome>(await pipe.CallAsync(StoreCalls.ChunkCheckpoint, p, cancellationToken));

    public async Task<IReadOnlyList<long>> ChunkCompleteManyAsync(ChunkCompleteManyParams p, CancellationToken cancellationToken) =>
        Read<List<long>>(await pipe.CallAsync(StoreCalls.ChunkCompleteMany, p, cancellationToken)) ?? [];

    public async Task<CompletedAndClaimed> ChunkCompleteAndClaimAsync(ChunkCompleteAndClaimParams p, CancellationToken cancellationToken) =>
        Read<CompletedAndClaimed>(await pipe.CallAsync(StoreCalls.ChunkCompleteAndClaim, p, cancellationToken)) ?? throw Missing(StoreCalls.ChunkCompleteAndClaim);

    public async Task<FailOutcome> ChunkFailAsync(ChunkFailParams p, CancellationToken cancellationToken) =>
        Read<FailOutcome>(await pipe.CallAsync(StoreCalls.ChunkFail, p, cancellationToken)) ?? throw Missing(StoreCalls.ChunkFail);

    public async Task<bool> ChunkReleaseAsync(ChunkReleaseParams p, CancellationToken cancellationToken) =>
        Read<bool>(await pipe.CallAsync(StoreCalls.ChunkRelease, p, cancellationToken));

    public async Task<string?> JobParametersAsync(long jobId, CancellationToken cancellationToken) =>
        Read<string>(await pipe.CallAsync(StoreCalls.JobParameters, jobId, cancellationToken));

    public async Task<IReadOnlyList<KeySetEntry>> KeySetReadAsync(KeySetReadParams p, CancellationToken cancellationToken) =>
        Read<List<KeySetEntry>>(await pipe.CallAsync(StoreCalls.KeySetRead, p, cancellationToken)) ?? [];

    public async Task<IReadOnlyList<OutputRow>> OutputListAsync(OutputListParams p, CancellationToken cancellationToken) =>
        Read<List<OutputRow>>(await pipe.CallAsync(StoreCalls.OutputList, p, cancellationToken)) ?? [];

    public async Task<DateTimeOffset> RateReserveAsync(RateReserveParams p, CancellationToken cancellationToken) =>
        Read<DateTimeOffset>(await pipe.CallAsync(StoreCalls.RateReserve, p, cancellationToken));

    public async Task<bool> RateTurnStandsAsync(RateTurnParams p, CancellationToken cancellationToken) =>
        Read<bool>(await pipe.CallAsync(StoreCalls.RateTurnStands, p, cancellationToken));

    public async Task<RateBackOff> RateBackOffAsync(RateBackOffParams p, CancellationToken cancellationToken) =>
        Read<RateBackOff>(await pipe.CallAsync(StoreCalls.RateBackOff, p, cancellationToken)) ?? throw Missing(StoreCalls.RateBackOff);

    public async Task<int?> ServerSlotAcquireAsync(ServerSlotAcquireParams p, CancellationToken cancellationToken) =>
        Read<int?>(await pipe.CallAsync(StoreCalls.SlotAcquire, p, cancellationToken));

    public async Task<ServerTurn?> ServerTurnTakeAsync(ServerTurnTakeParams p, CancellationToken cancellationToken) =>
        Read<ServerTurn>(await pipe.CallAsync(StoreCalls.TurnTake, p, cancellationToken));

    public Task ServerSlotReleaseAsync(ServerSlotReleaseParams p, CancellationToken cancellationToken) =>
        pipe.CallAsync(StoreCalls.SlotRelease, p, cancellationToken);

    public Task ActionInsertAsync(ActionInsertParams p, CancellationToken cancellationToken) =>
        pipe.CallAsync(StoreCalls.ActionInsert, p, cancellationToken);

    private static T? Read<T>(JsonNode? value) => value is null ? default : Wire.Read<T>(value);

    private static MonitorStoreException Missing(string op) => new(op, "the monitor answered with no value");
}
