using System.Text.Json;
using HeavyJobs.Core.Handlers;
using HeavyJobs.Core.Model;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Testing;

/// <summary>
/// An in-memory <see cref="IChunkContext"/> that records everything a handler does. Set the chunk up with the
/// init properties (input, parameters, cursor, counters, attempts) and <see cref="SeedOutput"/> /
/// <see cref="SeedKey"/>, run the handler, then call <see cref="Complete"/> as the worker does when a handler
/// returns, and read <see cref="Checkpoints"/>, <see cref="Outputs"/>, <see cref="Emitted"/> and <see cref="Log"/>.
/// <see cref="HandlerHarness"/> does all of that, and simulates kills, stops and failures.
/// </summary>
/// <remarks>
/// As in the worker: outputs, emitted chunks, counters and fresh keys are buffered until a checkpoint or the
/// completion commits them, in one commit with the cursor; <see cref="Counters"/> is what was committed plus
/// what was added since; <see cref="ReadOutputsAsync"/> and <see cref="ReadKeySetAsync"/> see only committed
/// work; a checkpoint ignores the handler's token (a stop lets it finish); a chunk's emitted chunks are created
/// once per dedupe key; a fresh mark updates only keys of the set and keeps the last record when given none.
/// Differences: every checkpoint is committed before it returns (the worker may write a quick one behind the
/// handler, but a kill that loses it is the same as a kill just before it, which the harness simulates);
/// <see cref="LimitAsync"/> and <see cref="BackOffAsync"/> record the request and never wait (unless
/// <see cref="Turns"/> says how turns are given); the lease
/// is never lost and the job never paused, except that checkpointing a completed chunk throws
/// <see cref="LeaseLostException"/> as the worker would.
/// </remarks>
public sealed class TestChunkContext : IChunkContext
{
    private readonly ChunkBook _book;
    private readonly TimeProvider _time;
    private readonly RunControl? _control;
    private readonly int _run;
    private readonly ILogger _logger;
    private List<ChunkOutput> _outputs = [];
    private List<EmittedChunk> _emitted = [];
    private List<FreshKey> _fresh = [];
    private ChunkCounters _pending;
    private bool _dead;

    /// <param name="time">The clock for commit times and fresh marks; the system clock when null.</param>
    public TestChunkContext(TimeProvider? time = null)
        : this(new ChunkBook(), time ?? TimeProvider.System, control: null, run: 1)
    {
    }

    internal TestChunkContext(ChunkBook book, TimeProvider time, RunControl? control, int run)
    {
        _book = book;
        _time = time;
        _control = control;
        _run = run;
        _logger = new CapturingLogger(book.Log, book.Gate, run);
    }

    public long JobId { get; init; } = 1;

    public long ChunkId { get; init; } = 1;

    public int Stage { get; init; }

    public string Type { get; init; } = "test";

    public JsonElement Input { get; init; } = TestJson.EmptyObject;

    public JsonElement Parameters { get; init; } = TestJson.EmptyObject;

    /// <summary>The last committed cursor; set it to start the chunk where an earlier run left off.</summary>
    public string? Cursor
    {
        get => Locked(() => _book.Cursor);
        init => _book.Cursor = value;
    }

    /// <summary>The committed counters; set them to start the chunk with what an earlier run committed.</summary>
    public ChunkCounters CommittedCounters
    {
        get => Locked(() => _book.Counters);
        init => _book.Counters = value;
    }

    public ChunkCounters Counters => Locked(() => _book.Counters + _pending);

    /// <summary>Counted since the last commit.</summary>
    public ChunkCounters PendingCounters => Locked(() => _pending);

    public int Attempts { get; init; }

    /// <summary>Writes to <see cref="Log"/>.</summary>
    public ILogger Logger => _logger;

    /// <summary>Every commit of the chunk, in order, the completion included.</summary>
    public IReadOnlyList<TestCheckpoint> Checkpoints => Locked(() => _book.Commits.ToList());

    /// <summary>The outputs this chunk committed, in commit order (duplicates are kept, as the store keeps them).</summary>
    public IReadOnlyList<ChunkOutput> Outputs => Locked(() => _book.Committed.ToList());

    /// <summary>The chunks this chunk's commits created: one per dedupe key, the first emitted.</summary>
    public IReadOnlyList<EmittedChunk> Emitted => Locked(() => _book.Emitted.ToList());

    public IReadOnlyList<ChunkOutput> PendingOutputs => Locked(() => _outputs.ToList());

    public IReadOnlyList<EmittedChunk> PendingEmitted => Locked(() => _emitted.ToList());

    public IReadOnlyList<FreshKey> PendingFresh => Locked(() => _fresh.ToList());

    /// <summary>The job's key set as it stands, fresh marks committed so far included.</summary>
    public IReadOnlyList<KeyState> KeySet => Locked(() => _book.Keys.Values.ToList());

    public IReadOnlyList<TestLogEntry> Log => Locked(() => _book.Log.ToList());

    /// <summary>
    /// How a turn at a limited resource is given (<see cref="LimitAsync"/>); by default at once. Set it to make
    /// the handler wait as the fleet would make it: a gate per resource, turns handed out late or in another order.
    /// </summary>
    public Func<string, ResourceLimit, CancellationToken, ValueTask<IAsyncDisposable>>? Turns { get; init; }

    /// <summary>The resources the handler waited for a turn at, one entry per request.</summary>
    public IReadOnlyList<string> LimitRequests => Locked(() => _book.Limits.ToList());

    /// <summary>The push-backs the handler reported.</summary>
    public IReadOnlyList<(string Resource, TimeSpan Pause)> BackOffs => Locked(() => _book.BackOffs.ToList());

    public bool IsCompleted => Locked(() => _book.Completed);

    /// <summary>What a simulated kill threw away; <see cref="TestWork.None"/> while the context lives.</summary>
    public TestWork Discarded { get; private set; } = TestWork.None;

    /// <summary>Adds an output of this job for <see cref="ReadOutputsAsync"/> to serve (another chunk's, another stage's).</summary>
    public StoredOutput SeedOutput(long chunkId, int stage, string key, string data) => _book.Seed(chunkId, stage, key, data);

    /// <summary>
    /// Adds a key to the job's key set, as <c>heavyjobs keys load</c> and earlier refreshes left it; with
    /// <paramref name="markedByThisJob"/>, as if an earlier chunk of this job had marked it (fresh or attempted).
    /// </summary>
    public void SeedKey(string key, DateTimeOffset? refreshedAt = null, string? latest = null, bool markedByThisJob = false)
    {
        lock (_book.Gate)
        {
            _book.Keys[key] = new KeyState(key, refreshedAt, latest);
            if (markedByThisJob)
            {
                _book.Marked.Add(key);
            }
        }
    }

    public void Add(long done, long good = 0, long bad = 0) => Buffer(() => _pending += new ChunkCounters(done, good, bad));

    public void Output(string key, string data) => Buffer(() => _outputs.Add(new ChunkOutput(key, data)));

    public void Emit(EmittedChunk chunk) => Buffer(() => _emitted.Add(chunk));

    public void MarkFresh(string key, string? latest = null) => Buffer(() => _fresh.Add(new FreshKey(key, latest)));

    public void MarkAttempted(string key) => Buffer(() => _fresh.Add(new FreshKey(key, null, Refreshed: false)));

    // The handler's token is not used, as in the worker: a stop lets a checkpoint finish.
    public ValueTask CheckpointAsync(string? cursor, CancellationToken cancellationToken)
    {
        int checkpoints;
        lock (_book.Gate)
        {
            if (_dead)
            {
                return new ValueTask(new TaskCompletionSource().Task);
            }

            if (_book.Completed)
            {
                throw new LeaseLostException(ChunkId);
            }

            if (_control?.KillBeforeCommit(_book.Checkpoints) == true)
            {
                DieLocked();
                return new ValueTask(new TaskCompletionSource().Task);
            }

            CommitLocked(TestCommitKind.Checkpoint, cursor);
            checkpoints = _book.Checkpoints;
        }

        // Outside the lock: a stop cancels the handler's token, which runs the handler's callbacks.
        _control?.Committed(checkpoints);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Does what the worker does when the handler returns: commits what is buffered, at the last checkpoint's
    /// cursor, and calls the chunk finished.
    /// </summary>
    public void Complete()
    {
        lock (_book.Gate)
        {
            if (_book.Completed)
            {
                throw new InvalidOperationException($"Chunk {ChunkId} is already completed.");
            }

            CommitLocked(TestCommitKind.Completion, _book.Cursor);
        }
    }

    public ValueTask<IReadOnlyList<StoredOutput>> ReadOutputsAsync(OutputQuery query, long afterId, int limit, CancellationToken cancellationToken)
    {
        if (IsDead)
        {
            return new ValueTask<IReadOnlyList<StoredOutput>>(new TaskCompletionSource<IReadOnlyList<StoredOutput>>().Task);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult<IReadOnlyList<StoredOutput>>(_book.ReadOutputs(query, afterId, limit));
    }

    public ValueTask<IReadOnlyList<KeyState>> ReadKeySetAsync(string? afterKey, int limit, CancellationToken cancellationToken) =>
        ReadKeys(afterKey, limit, notMarkedOnly: false, cancellationToken);

    public ValueTask<IReadOnlyList<KeyState>> ReadKeysNotMarkedAsync(string? afterKey, int limit, CancellationToken cancellationToken) =>
        ReadKeys(afterKey, limit, notMarkedOnly: true, cancellationToken);

    private ValueTask<IReadOnlyList<KeyState>> ReadKeys(string? afterKey, int limit, bool notMarkedOnly, CancellationToken cancellationToken)
    {
        if (IsDead)
        {
            return new ValueTask<IReadOnlyList<KeyState>>(new TaskCompletionSource<IReadOnlyList<KeyState>>().Task);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult<IReadOnlyList<KeyState>>(_book.ReadKeys(afterKey, limit, notMarkedOnly));
    }

    public ValueTask<IAsyncDisposable> LimitAsync(string resource, ResourceLimit limit, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Buffer(() => _book.Limits.Add(resource));
        return Turns is { } turns ? turns(resource, limit, cancellationToken) : ValueTask.FromResult<IAsyncDisposable>(NoTurn.Instance);
    }

    public ValueTask BackOffAsync(string resource, TimeSpan pause, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Buffer(() => _book.BackOffs.Add((resource, pause)));
        return ValueTask.CompletedTask;
    }

    internal bool IsDead => Locked(() => _dead);

    /// <summary>The handler ended its run: commits what is buffered unless the run is killed at this point first.</summary>
    internal bool TryCommitEnd(TestCommitKind kind)
    {
        lock (_book.Gate)
        {
            if (_dead || _control?.KillBeforeCommit(_book.Checkpoints) == true)
            {
                DieLocked();
                return false;
            }

            CommitLocked(kind, _book.Cursor);
            return true;
        }
    }

    /// <summary>The run failed or was cancelled: what is buffered is lost, and the context takes nothing more.</summary>
    internal TestWork Abandon()
    {
        lock (_book.Gate)
        {
            var lost = TakeLocked();
            _dead = true;
            return lost;
        }
    }

    private void DieLocked()
    {
        if (!_dead)
        {
            Discarded = TakeLocked();
            _dead = true;
        }

        _control?.Kill();
    }

    private void CommitLocked(TestCommitKind kind, string? cursor)
    {
        var work = TakeLocked();
        var commit = new TestCheckpoint(kind, _run, cursor, _book.Counters + work.Counters, work.Outputs, work.Emitted, work.Fresh, _time.GetUtcNow());
        _book.Commit(commit, ChunkId, Stage);
        _book.Completed = kind == TestCommitKind.Completion;
    }

    private TestWork TakeLocked()
    {
        var work = new TestWork(_outputs, _emitted, _pending, _fresh);
        _outputs = [];
        _emitted = [];
        _fresh = [];
        _pending = ChunkCounters.Zero;
        return work;
    }

    // A killed run's handler may still be running; like a dead process, nothing it does lands anywhere.
    private void Buffer(Action add)
    {
        lock (_book.Gate)
        {
            if (!_dead)
            {
                add();
            }
        }
    }

    private T Locked<T>(Func<T> read)
    {
        lock (_book.Gate)
        {
            return read();
        }
    }

    private sealed class NoTurn : IAsyncDisposable
    {
        public static readonly NoTurn Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
