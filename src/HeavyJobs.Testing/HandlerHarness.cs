using System.Text.Json;
using HeavyJobs.Core.Handlers;
using HeavyJobs.Core.Model;

namespace HeavyJobs.Testing;

/// <summary>
/// Runs a handler on one chunk in memory, as the worker would, until the chunk completes, through the kills,
/// stops and failures you plan. Every run uses a fresh handler from the factory and starts from the last
/// committed cursor and counters, as the system restarts a chunk; outputs and emitted chunks committed by
/// every run stay, so <see cref="HandlerResult.Outputs"/> shows whether the handler is exactly-once.
/// </summary>
/// <remarks>
/// Attempts follow the store: a failed run (the handler threw) adds one, and the chunk fails for good when
/// they reach the maximum (<see cref="HandlerDefaults.MaxAttempts"/> by default); a killed or stopped run adds
/// none (a death counts as a crash, which the handler does not see). A handler that ignores a stop runs on
/// here; the worker would kill it after its grace period.
/// </remarks>
public sealed class HandlerHarness
{
    /// <summary>More runs than this means the handler never completes: the harness gives up.</summary>
    public const int MaxRuns = 1_000;

    private readonly Func<IChunkHandler> _factory;
    private readonly List<int> _killsAfter = [];
    private readonly List<int> _stopsAt = [];
    private readonly List<StoredOutput> _seeded = [];
    private readonly List<KeyState> _keys = [];
    private readonly HashSet<string> _marked = new(StringComparer.Ordinal);
    private RandomKills? _randomKills;
    private JsonElement _input = TestJson.EmptyObject;
    private JsonElement _parameters = TestJson.EmptyObject;
    private (long JobId, long ChunkId, int Stage, string Type) _chunk = (1, 1, 0, "test");
    private string? _cursor;
    private ChunkCounters _counters;
    private int _attempts;
    private int _maxAttempts = HandlerDefaults.MaxAttempts;
    private TimeProvider _time = TimeProvider.System;

    private HandlerHarness(Func<IChunkHandler> factory) => _factory = factory;

    /// <summary>A harness for the handler the factory makes; it is called once per run.</summary>
    public static HandlerHarness For(Func<IChunkHandler> factory) => new(factory);

    public static HandlerHarness For<THandler>()
        where THandler : IChunkHandler, new() => new(static () => new THandler());

    /// <summary>The chunk's input as JSON text.</summary>
    public HandlerHarness WithInput(string json) => WithInput(TestJson.Parse(json));

    public HandlerHarness WithInput(JsonElement input)
    {
        _input = input.Clone();
        return this;
    }

    /// <summary>The chunk's input, serialized from a value (an anonymous object: <c>new { start = 0, end = 100 }</c>).</summary>
    public HandlerHarness WithInput<T>(T input) => WithInput(TestJson.From(input));

    /// <summary>The job's parameters as JSON text.</summary>
    public HandlerHarness WithParameters(string json) => WithParameters(TestJson.Parse(json));

    public HandlerHarness WithParameters(JsonElement parameters)
    {
        _parameters = parameters.Clone();
        return this;
    }

    public HandlerHarness WithParameters<T>(T parameters) => WithParameters(TestJson.From(parameters));

    public HandlerHarness WithChunk(long jobId = 1, long chunkId = 1, int stage = 0, string type = "test")
    {
        _chunk = (jobId, chunkId, stage, type);
        return this;
    }

    /// <summary>Starts the chunk where an earlier run's last checkpoint left it.</summary>
    public HandlerHarness WithCursor(string? cursor, ChunkCounters counters = default)
    {
        _cursor = cursor;
        _counters = counters;
        return this;
    }

    /// <summary>How many attempts failed before the first run.</summary>
    public HandlerHarness WithAttempts(int attempts)
    {
        _attempts = attempts;
        return this;
    }

    /// <summary>Failed attempts after which the chunk fails for good, as the job's <c>maxAttempts</c>.</summary>
    public HandlerHarness WithMaxAttempts(int maxAttempts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        _maxAttempts = maxAttempts;
        return this;
    }

    public HandlerHarness WithTimeProvider(TimeProvider time)
    {
        _time = time;
        return this;
    }

    /// <summary>An output of the job for <see cref="IChunkContext.ReadOutputsAsync"/> to serve: another chunk's, another stage's.</summary>
    public HandlerHarness WithOutput(long chunkId, int stage, string key, string data)
    {
        _seeded.Add(new StoredOutput(0, chunkId, stage, key, data));
        return this;
    }

    public HandlerHarness WithOutputs(long chunkId, int stage, IEnumerable<ChunkOutput> outputs)
    {
        _seeded.AddRange(outputs.Select(o => new StoredOutput(0, chunkId, stage, o.Key, o.Data)));
        return this;
    }

    /// <summary>
    /// A key of the job's key set, for <see cref="IChunkContext.ReadKeySetAsync"/> and <see cref="IChunkContext.MarkFresh"/>;
    /// with <paramref name="markedByThisJob"/>, as an earlier chunk of this job left it (for <see cref="IChunkContext.ReadKeysNotMarkedAsync"/>).
    /// </summary>
    public HandlerHarness WithKey(string key, DateTimeOffset? refreshedAt = null, string? latest = null, bool markedByThisJob = false)
    {
        _keys.Add(new KeyState(key, refreshedAt, latest));
        if (markedByThisJob)
        {
            _marked.Add(key);
        }

        return this;
    }

    /// <summary>
    /// Kills the worker once <paramref name="checkpoints"/> checkpoints of the chunk are committed (0: before
    /// the first), at the latest moment before its next commit (its next checkpoint or its return), so all it
    /// did since is lost. Then a fresh handler runs the chunk from the last committed cursor. Call it again
    /// for more kills; a planned kill that never comes (the chunk completed first) fails the run.
    /// </summary>
    public HandlerHarness KillAfterCheckpoint(int checkpoints)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(checkpoints);
        _killsAfter.Add(checkpoints);
        return this;
    }

    /// <summary>
    /// Kills the worker at commit points chosen by a seeded random: each checkpoint or return is killed before
    /// it commits with probability <paramref name="chance"/>, until <paramref name="kills"/> kills happened.
    /// The same seed gives the same kills for a deterministic handler; <see cref="HandlerResult.Kills"/> says how many came.
    /// </summary>
    public HandlerHarness KillAtRandom(int seed, int kills = 3, double chance = 0.25)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(kills);
        _randomKills = new RandomKills(seed, kills, chance);
        return this;
    }

    /// <summary>
    /// Cancels the handler's token once <paramref name="checkpoints"/> checkpoints are committed (right after
    /// that one, before it returns to the handler), as a stop or a pause does. <see cref="HandlerRun.Ending"/>
    /// tells what the handler did; then the chunk runs again from its last cursor.
    /// </summary>
    public HandlerHarness StopAtCheckpoint(int checkpoints)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(checkpoints);
        _stopsAt.Add(checkpoints);
        return this;
    }

    /// <summary>Runs the chunk until it completes or fails for good.</summary>
    public async Task<HandlerResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var book = new ChunkBook { Cursor = _cursor, Counters = _counters };
        foreach (var output in _seeded)
        {
            book.Seed(output.ChunkId, output.Stage, output.Key, output.Data);
        }

        foreach (var key in _keys)
        {
            book.Keys[key.Key] = key;
        }

        book.Marked.UnionWith(_marked);

        var plan = new FaultPlan(_killsAfter, _stopsAt, _randomKills);
        var runs = new List<HandlerRun>();
        var attempts = _attempts;
        while (true)
        {
            if (runs.Count == MaxRuns)
            {
                throw new InvalidOperationException($"The chunk did not complete in {MaxRuns} runs.");
            }

            var (context, run) = await RunOnceAsync(book, plan, runs.Count + 1, attempts, cancellationToken);
            runs.Add(run);
            if (run.Ending == RunEnding.Failed)
            {
                attempts++;
            }

            if (run.Ending == RunEnding.Completed || (run.Ending == RunEnding.Failed && attempts >= _maxAttempts))
            {
                if (plan.UnfiredKills.Count > 0 || plan.UnfiredStops.Count > 0)
                {
                    throw new InvalidOperationException(
                        $"The chunk ended after {book.Checkpoints} checkpoints, before the planned kills after [{string.Join(", ", plan.UnfiredKills)}] " +
                        $"and stops at [{string.Join(", ", plan.UnfiredStops)}] came.");
                }

                return new HandlerResult(context, runs);
            }
        }
    }

    private async Task<(TestChunkContext Context, HandlerRun Run)> RunOnceAsync(ChunkBook book, FaultPlan plan, int number, int attempts, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var control = new RunControl(plan, stop);
        var context = new TestChunkContext(book, _time, control, number)
        {
            JobId = _chunk.JobId,
            ChunkId = _chunk.ChunkId,
            Stage = _chunk.Stage,
            Type = _chunk.Type,
            Input = _input,
            Parameters = _parameters,
            Attempts = attempts,
        };
        var startCursor = context.Cursor;
        var handling = HandleAsync(_factory(), context, stop.Token);

        // A killed handler is left waiting on its checkpoint for good, as a dead process never resumes.
        await Task.WhenAny(handling, control.Killed).WaitAsync(cancellationToken);
        var error = control.Killed.IsCompleted ? null : await handling;
        if (error is not null && !control.StopRequested)
        {
            cancellationToken.ThrowIfCancellationRequested();
        }

        var ending = (control.Killed.IsCompleted, error, control.StopRequested) switch
        {
            (true, _, _) => RunEnding.Killed,
            // As the worker does: returning after a stop means "my last checkpoint is where I am"; the rest is dropped.
            (_, null, true) => RunEnding.ReturnedAfterStop,
            (_, null, false) => context.TryCommitEnd(TestCommitKind.Completion) ? RunEnding.Completed : RunEnding.Killed,
            (_, OperationCanceledException, true) => RunEnding.Stopped,
            _ => RunEnding.Failed,
        };
        var discarded = ending == RunEnding.Killed ? context.Discarded : context.Abandon();
        var checkpoints = context.Checkpoints.Count(c => c.Run == number && c.Kind == TestCommitKind.Checkpoint);
        return (context, new HandlerRun(number, attempts, startCursor, ending, checkpoints, control.CheckpointsAfterStop, discarded, error));
    }

    private static async Task<Exception?> HandleAsync(IChunkHandler handler, IChunkContext context, CancellationToken cancellationToken)
    {
        try
        {
            await handler.RunAsync(context, cancellationToken);
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }
}
