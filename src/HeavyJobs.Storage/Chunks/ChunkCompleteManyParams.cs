using HeavyJobs.Core.Model;

namespace HeavyJobs.Storage.Chunks;

/// <summary>
/// Completes many chunks in one statement, each fenced by its own epoch: the fast path for chunks that finish
/// with no outputs to write since their last checkpoint.
/// </summary>
public sealed record ChunkCompleteManyParams(IReadOnlyList<ChunkCompletion> Items, DateTimeOffset Now);

public sealed record ChunkCompletion(long ChunkId, long Epoch, string? Cursor, ChunkCounters Counters);
