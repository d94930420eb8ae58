using System.Text.Json;
using HeavyJobs.Core.Handlers;
using HeavyJobs.Core.Model;
using HeavyJobs.Runtime.Worker.StoreAccess;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.KeySets;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Runtime.Worker;

/// <summary>
/// The runtime's side of <see cref="IChunkContext"/>: buffers what a handler produces until a checkpoint commits
/// it. <see cref="CheckpointAsync"/> commits before it returns, unless it comes sooner than
/// <see cref="WorkerOptions.WriteBehindUnder"/> (the window) after the previous one. Such a quick checkpoint
/// returns at once and is written behind the handler: at once if the last write started a window ago or more,
/// otherwise held and written, together with any that follow it, when the window since the last write is
/// over. Writes go one at a time, in order; what one met (a lost lease, a paused job) is thrown at the
/// handler's next checkpoint, or when the run is drained.
/// </summary>
internal sealed partial class ChunkContext : IChunkContext, IDisposable
{
    private readonly IWorkerStoreCalls _store;
    private readonly ClaimedChunk _chunk;
    private JsonDocument? _input;
    private readonly TimeProvider _time;
    private readonly TimeSpan _lease;
    private readonly Action<ClaimedChunk, ChunkCounters> _committed;
    private readonly Action<ChunkCounters> _added;
    private readonly CancellationToken _hardStop;
    // Made at a handler's first use and handed over whole to the checkpoint that takes them: most chunks
    // produce none, and a worker runs up to hundreds of thousands of chunks a second.
    private List<ChunkOutput>? _outputs;
    private List<EmittedChunk>? _emitted;
    private List<FreshKey>? _fresh;
    private ChunkCounters _committedCounters;
    private ChunkCounters _pending;
    private readonly TimeSpan _writeBehindUnder;
    private readonly Lock _writes = new();
    private long _lastCheckpoint;

    // Guarded by _writes: the checkpoint held for the next write, the timer that starts that write, when the
    // last write started, and the chain of writes (each waits for the one before it).
    private (ChunkCheckpointParams Params, ChunkCounters Delta)? _held;
    private ITimer? _heldTimer;
    private long _lastWrite;
    private Task? _inflight;
    private bool _settled;

    private readonly int _keptCheckpoints;

    public ChunkContext(
        IWorkerStoreCalls store,
        ClaimedChunk chunk,
        JsonElement parameters,
        ILogger logger,
        TimeProvider time,
        TimeSpan lease,
        Action<ChunkCounters> added,
        Action<ClaimedChunk, ChunkCounters> committed,
        CancellationToken hardStop,
        TimeSpan writeBehindUnder = default,
        int keptCheckpoints = ChunkDefaults.KeptCheckpoints)
    {
        _keptCheckpoints = keptCheckpoints;
        _writeBehindUnder = writeBehindUnder < WorkerDefaults.WriteBehindMost ? writeBehindUnder : WorkerDefaults.WriteBehindMost;
        _lastCheckpoint = time.GetTimestamp();
        _lastWrite = _lastCheckpoint;
        _store = store;
        _chunk = chunk;
        Parameters = parameters;
        Logger = logger;
        _time = time;
        _lease = lease;
        _added = added;
        _committed = committed;
        _hardStop = hardStop;
        _committedCounters = chunk.Counters;
        Cursor = chunk.Cursor;
    }

    public long JobId => _chunk.JobId;

    public long ChunkId => _chunk.Id;

    public int Stage => _chunk.Stage;

    public string Type => _chunk.Type;

    // Parsed at first use: a handler that never reads its input does not pay for it.
    public JsonElement Input => (_input ??= JsonDocument.Parse(_chunk.Input)).RootElement;

    public JsonElement Parameters { get; }

    public string? Cursor { get; private set; }

    public ChunkCounters Counters => _committedCounters + _pending;

    public int Attempts => _chunk.Attempts;

    public ILogger Logger { get; }

    public bool HasUncommitted => !_pending.IsZero || _outputs is { Count: > 0 } || _emitted is { Count: > 0 } || _fresh is { Count: > 0 };

    public void Add(long done, long good = 0, long bad = 0)
    {
        var delta = new ChunkCounters(done, good, bad);
        _pending += delta;
        _added(delta);
    }

    public void Output(string key, string data) => (_outputs ??= []).Add(new ChunkOutput(key, data));

    public void Emit(EmittedChunk chunk) => (_emitted ??= []).Add(chunk);

    public void MarkFresh(string key, string? latest = null) => (_fresh ??= []).Add(new FreshKey(key, latest));

    public void MarkAttempted(string key) => (_fresh ??= []).Add(new FreshKey(key, Refreshed: false));

    public ValueTask<IReadOnlyList<KeyState>> ReadKeySetAsync(string? afterKey, int limit, CancellationToken cancellationToken) =>
        ReadKeysAsync(afterKey, limit, notMarkedOnly: false, cancellationToken);

    public ValueTask<IReadOnlyList<KeyState>> ReadKeysNotMarkedAsync(string? afterKey, int limit, CancellationToken cancellationToken) =>
        ReadKeysAsync(afterKey, limit, notMarkedOnly: true, cancellationToken);

    private async ValueTask<IReadOnlyList<KeyState>> ReadKeysAsync(string? afterKey, int limit, bool notMarkedOnly, CancellationToken cancellationToken)
    {
        // A handler reads what it committed.
        await DrainAsync();
        return (await _store.KeySetReadAsync(new KeySetReadParams(_chunk.JobId, afterKey, Math.Clamp(limit, 1, 10_000), notMarkedOnly), cancellationToken))
            .Select(k => new KeyState(k.Key, k.RefreshedAt, k.Latest))
            .ToList();
    }

    // The handler's token is deliberately not used for the write: a stop should let a checkpoint finish, not
    // tear it down halfway. Only the hard stop after the grace period cancels it.
    public async ValueTask CheckpointAsync(string? cursor, CancellationToken cancellationToken)
    {
        // The interval that just ended bounds what writing behind can cost: a kill before the write lands
        // loses the work since the last one that did, and the handler has been checkpointing faster than the
        // window.
        ThrowIfAWriteFailed();
        var now = _time.GetTimestamp();
        var quick = _time.GetElapsedTime(_lastCheckpoint, now) < _writeBehindUnder;
        _lastCheckpoint = now;
        if (!quick)
        {
            await DrainAsync();
            var checkpoint = Take(cursor, complete: false);
            lock (_writes)
            {
                _lastWrite = now;
            }

            await WriteAsync(checkpoint);
            return;
        }

        await ObserveFinishedWriteAsync();
        var taken = Take(cursor, complete: false);
        lock (_writes)
        {
            _held = _held is { } held ? Merge(held, taken) : taken;
            var sinceWrite = _time.GetElapsedTime(_lastWrite, now);
            if (sinceWrite >= _writeBehindUnder)
            {
                WriteHeldLocked(now);
            }
            else
            {
                _heldTimer ??= _time.CreateTimer(_ => WriteHeldFromTimer(), null, _writeBehindUnder - sinceWrite, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>
    /// Commits now, with what is held, after the writes before it, and waits for it. The chunk's last write:
    /// the handler has finished (one that stopped goes through <see cref="StopAsync"/> instead).
    /// </summary>
    public async ValueTask CommitAsync(string? cursor, bool complete)
    {
        var checkpoint = Take(cursor, complete);
        await SettleAsync();
        lock (_writes)
        {
            if (_held is { } held)
            {
                checkpoint = Merge(held, checkpoint);
                _held = null;
            }
        }

        await WriteAsync(checkpoint);
    }

    /// <summary>
    /// The handler returned: no more writes start on their own. Waits for those in flight and throws what they
    /// met; what is held stays, to go in with the chunk's completion (<see cref="TryTakeCompletion"/> or
    /// <see cref="CommitAsync"/>) instead of costing a commit of its own.
    /// </summary>
    public async ValueTask SettleAsync()
    {
        Task? writes;
        lock (_writes)
        {
            StopHoldingLocked();
            writes = TakeWritesLocked();
        }

        await (writes ?? Task.CompletedTask);
    }

    /// <summary>Writes what is held, waits for every write, and throws what they met.</summary>
    public async ValueTask DrainAsync()
    {
        Task? writes;
        lock (_writes)
        {
            if (_held is not null)
            {
                WriteHeldLocked(_time.GetTimestamp());
            }

            writes = TakeWritesLocked();
        }

        await (writes ?? Task.CompletedTask);
    }

    /// <summary>Drains whatever the writes met: before giving a chunk back or failing it.</summary>
    public async ValueTask DrainQuietlyAsync()
    {
        try
        {
            await DrainAsync();
        }
        catch (Exception)
        {
            // The caller is already on its way out with an error or a stop of its own; the store's fence
            // decides what the chunk's state is.
        }
    }

    /// <summary>
    /// The chunk's completion for the worker's batch, when it can go there, with its outputs and next-stage chunks
    /// (the batch wakes their workers when it commits): a completion that refreshes keys is committed on its own
    /// (it must mark the keys). What it carries counts as committed only once the batch is; until then a dead
    /// worker loses it and the chunk runs again.
    /// </summary>
    public bool TryTakeCompletion(out PendingCompletion completion)
    {
        (ChunkCheckpointParams Params, ChunkCounters Delta)? held;
        lock (_writes)
        {
            held = _held;
            // Only after SettleAsync, with nothing in flight: the completion must not overtake a write. After a
            // failed write it must not go at all: CommitAsync throws what that write met.
            if (!_settled || _inflight is not null || WriteFailed || _fresh is { Count: > 0 } || held is { Params.Fresh.Count: > 0 })
            {
                completion = null!;
                return false;
            }

            _held = null;
        }

        // With nothing held back and nothing counted since, the store has this cursor and these counters already
        // (every checkpoint taken was written: nothing is in flight).
        completion = new PendingCompletion(
            new ChunkCompletion(
                _chunk.Id,
                _chunk.Epoch,
                Cursor,
                _committedCounters + _pending,
                _chunk.JobId,
                _chunk.Stage,
                held is null ? (IReadOnlyList<ChunkOutput>?)_outputs ?? [] : [.. held.Value.Params.Outputs, .. _outputs ?? []],
                ProgressStored: held is null && _pending == ChunkCounters.Zero,
                Emitted: held is null ? _emitted : [.. held.Value.Params.Emitted, .. _emitted ?? []]),
            _chunk.Type,
            (held?.Delta ?? ChunkCounters.Zero) + _pending);
        _committedCounters += _pending;
        _pending = ChunkCounters.Zero;
        _outputs = null;
        _emitted = null;
        return true;
    }

    public async ValueTask<IReadOnlyList<StoredOutput>> ReadOutputsAsync(OutputQuery query, long afterId, int limit, CancellationToken cancellationToken)
    {
        // A handler reads what it committed.
        await DrainAsync();
        // More keys than one read may name (a parse chunk cut from a checkpoint of tens of thousands): read them
        // all; a reader checks the keys it gets (OutputQuery.Keys), so only the saving is lost, not the answer.
        var keys = query.Keys is { Count: > OutputListParams.MaxKeys } ? null : query.Keys;
        var rows = await _store.OutputListAsync(new OutputListParams(_chunk.JobId, query.Stage, afterId, Math.Clamp(limit, 1, 10_000), query.ChunkId, keys), cancellationToken);
        return rows.Select(r => new StoredOutput(r.Id, r.ChunkId, r.Stage, r.Key, r.Data)).ToList();
    }

    public ValueTask<IAsyncDisposable> LimitAsync(string resource, ResourceLimit limit, CancellationToken cancellationToken) =>
        FleetLimiter.AcquireAsync(_store, _time, resource, limit, cancellationToken);

    public ValueTask BackOffAsync(string resource, TimeSpan pause, CancellationToken cancellationToken) =>
        FleetLimiter.BackOffAsync(_store, _time, resource, pause, _chunk, cancellationToken);

    public void Dispose()
    {
        lock (_writes)
        {
            StopHoldingLocked();
        }

        _input?.Dispose();
    }
}

/// <summary>The chunk's job was paused: its checkpoint was written and the worker gives it back.</summary>
internal sealed class ChunkYieldedException(long chunkId) : OperationCanceledException($"Chunk {chunkId} yields: its job was paused.");
