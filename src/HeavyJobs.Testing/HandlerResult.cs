using HeavyJobs.Core.Handlers;
using HeavyJobs.Core.Model;

namespace HeavyJobs.Testing;

/// <summary>How one run of the chunk ended.</summary>
public enum RunEnding
{
    /// <summary>The handler returned and the chunk was completed.</summary>
    Completed,

    /// <summary>The process died (simulated) before its next commit: everything since the last one is lost.</summary>
    Killed,

    /// <summary>
    /// Asked to stop, the handler threw <see cref="OperationCanceledException"/>: what it buffered is lost and
    /// the chunk runs again from the last checkpoint.
    /// </summary>
    Stopped,

    /// <summary>
    /// Asked to stop, the handler returned: "I stopped; my last checkpoint is where I am". What it buffered since
    /// that checkpoint is dropped, the chunk is not finished and runs again from that cursor.
    /// </summary>
    ReturnedAfterStop,

    /// <summary>The handler threw: the attempt failed, what it buffered is lost, and the chunk is retried from the last checkpoint.</summary>
    Failed,
}

/// <summary>One run of the chunk by a fresh handler instance.</summary>
/// <param name="Number">1 for the first run.</param>
/// <param name="Attempts">What <see cref="IChunkContext.Attempts"/> said in this run.</param>
/// <param name="StartCursor">The cursor the run started from.</param>
/// <param name="Checkpoints">The checkpoints this run committed.</param>
/// <param name="CheckpointsAfterStop">Those it committed after it was asked to stop.</param>
/// <param name="Discarded">What it buffered and lost (killed, stopped, failed).</param>
/// <param name="Error">What it threw, when it threw.</param>
public sealed record HandlerRun(
    int Number,
    int Attempts,
    string? StartCursor,
    RunEnding Ending,
    int Checkpoints,
    int CheckpointsAfterStop,
    TestWork Discarded,
    Exception? Error);

/// <summary>What the store holds once the harness is done with a chunk, and how each run went.</summary>
public sealed class HandlerResult
{
    internal HandlerResult(TestChunkContext last, IReadOnlyList<HandlerRun> runs)
    {
        Completed = last.IsCompleted;
        Cursor = last.Cursor;
        Counters = last.CommittedCounters;
        Outputs = last.Outputs;
        Emitted = last.Emitted;
        Commits = last.Checkpoints;
        KeySet = last.KeySet;
        Log = last.Log;
        LimitRequests = last.LimitRequests;
        BackOffs = last.BackOffs;
        Runs = runs;
    }

    /// <summary>False when the chunk failed for good: it failed as many times as the job allows.</summary>
    public bool Completed { get; }

    /// <summary>The last committed cursor.</summary>
    public string? Cursor { get; }

    /// <summary>The committed counters.</summary>
    public ChunkCounters Counters { get; }

    /// <summary>Every output committed, across runs, in commit order: an output committed twice is here twice.</summary>
    public IReadOnlyList<ChunkOutput> Outputs { get; }

    /// <summary>The outputs committed more than once (same key and data): empty for a handler that is exactly-once.</summary>
    public IReadOnlyList<ChunkOutput> DuplicateOutputs =>
        Outputs.GroupBy(o => o).Where(g => g.Count() > 1).Select(g => g.Key).ToList();

    /// <summary>The chunks created for later stages: one per dedupe key, as the store creates them.</summary>
    public IReadOnlyList<EmittedChunk> Emitted { get; }

    /// <summary>Every commit, across runs: the handler's checkpoints, give-backs after a stop, and the completion.</summary>
    public IReadOnlyList<TestCheckpoint> Commits { get; }

    /// <summary>The handler's own checkpoints among <see cref="Commits"/>.</summary>
    public IReadOnlyList<TestCheckpoint> Checkpoints => Commits.Where(c => c.Kind == TestCommitKind.Checkpoint).ToList();

    public IReadOnlyList<KeyState> KeySet { get; }

    /// <summary>What the handler logged, in every run.</summary>
    public IReadOnlyList<TestLogEntry> Log { get; }

    public IReadOnlyList<string> LimitRequests { get; }

    public IReadOnlyList<(string Resource, TimeSpan Pause)> BackOffs { get; }

    public IReadOnlyList<HandlerRun> Runs { get; }

    public int Kills => Runs.Count(r => r.Ending == RunEnding.Killed);

    /// <summary>What the last failed run threw, if any run failed.</summary>
    public Exception? LastError => Runs.LastOrDefault(r => r.Error is not null)?.Error;
}
