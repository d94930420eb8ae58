using HeavyJobs.Core.Model;

namespace HeavyJobs.Testing;

/// <summary>What committed a chunk's work.</summary>
public enum TestCommitKind
{
    /// <summary>The handler called <see cref="Core.Handlers.IChunkContext.CheckpointAsync"/>.</summary>
    Checkpoint,

    /// <summary>The handler returned and the worker completed the chunk with what was still buffered.</summary>
    Completion,
}

/// <summary>
/// A key of the job's key set marked refreshed, with its latest record if the handler gave one, or only attempted
/// (<paramref name="Refreshed"/> false: <see cref="HeavyJobs.Core.Handlers.IChunkContext.MarkAttempted"/>).
/// </summary>
public sealed record FreshKey(string Key, string? Latest, bool Refreshed = true);

/// <summary>
/// One commit of a chunk, in one transaction as the store makes it: the cursor and the counters (totals, not
/// deltas), with the outputs, emitted chunks and fresh keys buffered since the commit before.
/// </summary>
/// <param name="Run">The run of the chunk that committed it (1 for the first; a kill, stop or failure starts another).</param>
public sealed record TestCheckpoint(
    TestCommitKind Kind,
    int Run,
    string? Cursor,
    ChunkCounters Counters,
    IReadOnlyList<ChunkOutput> Outputs,
    IReadOnlyList<EmittedChunk> Emitted,
    IReadOnlyList<FreshKey> Fresh,
    DateTimeOffset At);

/// <summary>Work a handler buffered and never committed: what a kill, a failure or a cancelled stop throws away.</summary>
public sealed record TestWork(
    IReadOnlyList<ChunkOutput> Outputs,
    IReadOnlyList<EmittedChunk> Emitted,
    ChunkCounters Counters,
    IReadOnlyList<FreshKey> Fresh)
{
    public static TestWork None { get; } = new([], [], ChunkCounters.Zero, []);

    public bool IsEmpty => Outputs.Count == 0 && Emitted.Count == 0 && Counters.IsZero && Fresh.Count == 0;
}
