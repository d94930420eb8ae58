using System.Text.Json;
using System.Text.Json.Nodes;
using HeavyJobs.Runtime.Protocol;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.KeySets;
using HeavyJobs.Storage.Politeness;

namespace HeavyJobs.Runtime.Monitor;

/// <summary>
/// Serves the store calls of .NET workers that do not open the store themselves (<see cref="StoreCalls"/>): each names one of a
/// fixed set of operations and carries its parameter record, which goes to the store as the worker made it, so
/// the epoch that fences a chunk write is the worker's own. The calls of all the machine's workers share the
/// monitor's connections, no more than <see cref="MonitorOptions.WorkerStoreConnections"/> at a time.
/// </summary>
internal sealed class StoreCallServer(IWorkerStore store, TurnGate gate)
{
    /// <summary>Serves one call in the background: the worker's next lines (heartbeats, other calls) are read meanwhile.</summary>
    /// <param name="send">Writes an answer to the worker's pipe.</param>
    public void Start(Action<WireMessage> send, JsonObject body) => _ = ServeAsync(send, body);

    private async Task ServeAsync(Action<WireMessage> send, JsonObject body)
    {
        var seq = body.Long("seq");
        try
        {
            await gate.WaitAsync(CancellationToken.None);
            object? value;
            try
            {
                value = await CallAsync(body.Str("op") ?? "", body["args"], CancellationToken.None);
            }
            finally
            {
                gate.Release();
            }

            send(new StoreResultMessage(seq, value));
        }
        catch (Exception ex)
        {
            // The worker decides what a failed call means, as it would for its own store's exception.
            send(new WireErrorMessage(seq, ex.Message));
        }
    }

    private async Task<object?> CallAsync(string op, JsonNode? args, CancellationToken ct) => op switch
    {
        StoreCalls.ChunkClaim => Listed(await store.ChunkClaimAsync(Arg<ChunkClaimParams>(args), ct)),
        StoreCalls.ChunkCheckpoint => await store.ChunkCheckpointAsync(Arg<ChunkCheckpointParams>(args), ct),
        StoreCalls.ChunkCompleteMany => Listed(await store.ChunkCompleteManyAsync(Arg<ChunkCompleteManyParams>(args), ct)),
        StoreCalls.ChunkCompleteAndClaim => await store.ChunkCompleteAndClaimAsync(Arg<ChunkCompleteAndClaimParams>(args), ct),
        StoreCalls.ChunkFail => await store.ChunkFailAsync(Arg<ChunkFailParams>(args), ct),
        StoreCalls.ChunkRelease => await store.ChunkReleaseAsync(Arg<ChunkReleaseParams>(args), ct),
        StoreCalls.JobParameters => (await store.JobGetAsync(Arg<long>(args), ct))?.Parameters,
        StoreCalls.KeySetRead => Listed(await store.KeySetReadAsync(Arg<KeySetReadParams>(args), ct)),
        StoreCalls.OutputList => Listed(await store.OutputListAsync(Arg<OutputListParams>(args), ct)),
        StoreCalls.RateReserve => await store.RateReserveAsync(Arg<RateReserveParams>(args), ct),
        StoreCalls.RateTurnStands => await store.RateTurnStandsAsync(Arg<RateTurnParams>(args), ct),
        StoreCalls.RateBackOff => await store.RateBackOffAsync(Arg<RateBackOffParams>(args), ct),
        StoreCalls.SlotAcquire => await store.ServerSlotAcquireAsync(Arg<ServerSlotAcquireParams>(args), ct),
        StoreCalls.TurnTake => await store.ServerTurnTakeAsync(Arg<ServerTurnTakeParams>(args), ct),
        StoreCalls.SlotRelease => await Done(store.ServerSlotReleaseAsync(Arg<ServerSlotReleaseParams>(args), ct)),
        StoreCalls.ActionInsert => await Done(store.ActionInsertAsync(Arg<ActionInsertParams>(args), ct)),
        _ => throw new InvalidOperationException($"unknown store call '{op}'"),
    };

    private static T Arg<T>(JsonNode? args) =>
        Wire.Read<T>(args ?? throw new JsonException("a store call needs its args")) ?? throw new JsonException("a store call's args are null");

    // The answer is written as its runtime type; a list is given as List<T>, the form WireJsonContext lists, whatever
    // collection the store built (an array, a collection expression's own type).
    private static List<T> Listed<T>(IReadOnlyList<T> values) => values as List<T> ?? [.. values];

    private static async Task<object?> Done(Task call)
    {
        await call;
        return null;
    }
}
