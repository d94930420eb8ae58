using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using HeavyJobs.Core.Model;
using HeavyJobs.Core.Retry;
using HeavyJobs.Runtime.Protocol;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.KeySets;

namespace HeavyJobs.Runtime.Monitor;

/// <summary>
/// Serves the proxy requests of workers that do not reach the store themselves (docs/worker-protocol.md):
/// the same store calls the .NET worker makes, fenced the same way by the epoch the worker names. It also hands
/// the store calls of .NET workers to <see cref="StoreCallServer"/>. Both take turns on one gate, so that however
/// many workers a machine runs, their requests hold at most <see cref="MonitorOptions.WorkerStoreConnections"/>
/// of the monitor's connections at once.
/// </summary>
internal sealed class WorkerProxy(IWorkerStore store, MonitorOptions options, TimeProvider time)
{
    private readonly TurnGate _gate = new(options.WorkerStoreConnections);

    /// <summary>The turns on the monitor's connections that its workers' requests take; the idle probe takes one too.</summary>
    public TurnGate Gate => _gate;
    private readonly ConcurrentDictionary<long, string> _parameters = new();
    private readonly ConcurrentDictionary<long, (ChunkCounters Counters, int Stage, string Type, long JobId)> _held = new();
    private readonly Random _random = new();
    private StoreCallServer? _calls;

    public async Task HandleAsync(WorkerProcess worker, string type, JsonObject body, CancellationToken cancellationToken)
    {
        if (type == StoreCalls.Call)
        {
            (_calls ??= new StoreCallServer(store, _gate)).Start(worker.Send, body);
            return;
        }

        var seq = body.Long("seq");
        await _gate.WaitAsync(cancellationToken);
        try
        {
            WireMessage answer = type switch
            {
                "claim" => await ClaimAsync(worker, seq, (int)Math.Clamp(body.Long("max", 1), 1, 100), cancellationToken),
                "checkpoint" => await CheckpointAsync(worker, seq, body, cancellationToken),
                "fail" => await FailAsync(worker, seq, body, cancellationToken),
                "release" => Ack(seq, await store.ChunkReleaseAsync(new ChunkReleaseParams(body.Long("chunkId"), body.Long("epoch"), time.GetUtcNow()), cancellationToken)),
                "bye" => new NoopMessage(),
                _ => new WireErrorMessage(seq, $"unknown message type '{type}'"),
            };
            if (type != "bye")
            {
                worker.Send(answer);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A bad request or a store hiccup answers with an error; the worker decides, the monitor lives on.
            worker.Send(new WireErrorMessage(seq, ex.Message));
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<WireMessage> ClaimAsync(WorkerProcess worker, long seq, int max, CancellationToken cancellationToken)
    {
        var claimed = await store.ChunkClaimAsync(new ChunkClaimParams(worker.Id, [worker.Type], max, time.GetUtcNow(), options.Lease), cancellationToken);
        var chunks = new List<ProxyChunk>();
        foreach (var c in claimed)
        {
            _held[c.Id] = (c.Counters, c.Stage, c.Type, c.JobId);
            chunks.Add(new ProxyChunk(
                c.Id, c.JobId, c.Stage, c.Type, c.Epoch, JsonNode.Parse(c.Input), c.Cursor, c.Counters.Done, c.Counters.Good, c.Counters.Bad,
                c.Attempts, JsonNode.Parse(await ParametersAsync(c.JobId, cancellationToken))));
        }

        return new ProxyChunksMessage(seq, chunks);
    }

    private async Task<WireMessage> CheckpointAsync(WorkerProcess worker, long seq, JsonObject body, CancellationToken cancellationToken)
    {
        var chunkId = body.Long("chunkId");
        var counters = new ChunkCounters(body.Long("done"), body.Long("good"), body.Long("bad"));
        // What was handed out at claim time; a chunk this monitor never handed out is looked up once.
        var (before, stage, chunkType, job) = _held.TryGetValue(chunkId, out var h) ? h : (ChunkCounters.Zero, 0, worker.Type, await JobOfAsync(chunkId, cancellationToken));
        var outputs = (body["outputs"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(o => new ChunkOutput(o.Str("key") ?? "", o["data"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : o["data"]?.ToJsonString() ?? "null"))
            .ToList();
        var emitted = (body["emit"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(e => new EmittedChunk((int)e.Long("stage"), e.Str("type") ?? "", e["input"]?.ToJsonString() ?? "null", e.Str("key") ?? throw new JsonException("emit needs a key")))
            .ToList();
        var fresh = (body["fresh"] as JsonArray ?? []).Select(k => k switch
            {
                JsonValue v when v.TryGetValue<string>(out var key) => new FreshKey(key),
                JsonObject o => new FreshKey(
                    o.Str("key") ?? throw new JsonException("a fresh entry needs a key"),
                    o["latest"] is JsonValue l && l.TryGetValue<string>(out var s) ? s : o["latest"]?.ToJsonString(),
                    o["refreshed"] is null || o.Bool("refreshed")),
                _ => throw new JsonException("fresh holds keys, or objects with a key, a latest record and whether it was refreshed"),
            }).ToList();
        var complete = body.Bool("complete");
        var outcome = await store.ChunkCheckpointAsync(
            new ChunkCheckpointParams(chunkId, job, stage, body.Long("epoch"), body.Str("cursor"), counters, outputs, emitted, complete, time.GetUtcNow(), options.Lease, fresh),
            cancellationToken);
        if (outcome != CheckpointOutcome.LeaseLost)
        {
            worker.OnProxyProgress(chunkType, stage, counters - before);
            _held[chunkId] = (counters, stage, chunkType, job);
        }

        if (complete || outcome == CheckpointOutcome.LeaseLost)
        {
            _held.TryRemove(chunkId, out _);
        }

        return new ProxyAckMessage(seq, outcome switch { CheckpointOutcome.Committed => "committed", CheckpointOutcome.Yield => "yield", _ => "lost" });
    }

    private async Task<WireMessage> FailAsync(WorkerProcess worker, long seq, JsonObject body, CancellationToken cancellationToken)
    {
        var chunkId = body.Long("chunkId");
        var chunk = await store.ChunkGetAsync(chunkId, cancellationToken);
        var now = time.GetUtcNow();
        var retryAt = now + RetryBackoff.Compute((chunk?.Attempts ?? 0) + 1, _random);
        var outcome = await store.ChunkFailAsync(new ChunkFailParams(chunkId, body.Long("epoch"), worker.Id, body.Str("error") ?? "failed", retryAt, now), cancellationToken);
        _held.TryRemove(chunkId, out _);
        return Ack(seq, outcome.Applied);
    }

    private static ProxyAckMessage Ack(long seq, bool applied) => new(seq, applied ? "committed" : "lost");

    private async Task<string> ParametersAsync(long jobId, CancellationToken cancellationToken)
    {
        if (!_parameters.TryGetValue(jobId, out var p))
        {
            p = (await store.JobGetAsync(jobId, cancellationToken))?.Parameters ?? "{}";
            _parameters[jobId] = p;
        }

        return p;
    }

    private async Task<long> JobOfAsync(long chunkId, CancellationToken cancellationToken) =>
        (await store.ChunkGetAsync(chunkId, cancellationToken))?.JobId ?? 0;
}
