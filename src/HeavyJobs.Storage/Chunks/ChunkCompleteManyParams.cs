using HeavyJobs.Core.Model;

namespace HeavyJobs.Storage.Chunks;

/// <summary>
/// Completes many chunks in one transaction, each fenced by its own epoch: the fast path for finished chunks.
/// A chunk's outputs and emitted chunks are written only if its completion is.
/// </summary>
public sealed record ChunkCompleteManyParams(IReadOnlyList<ChunkCompletion> Items, DateTimeOffset Now);

/// <param name="Outputs">Records produced since the chunk's last checkpoint, committed with its completion.</param>
/// <param name="Emitted">Next-stage chunks emitted since the chunk's last checkpoint, committed with its completion.</param>
/// <param name="ProgressStored">
/// The cursor and counters are those the store already has (from the claim or the last checkpoint), so the
/// completion need not write them again: the store may take a cheaper statement.
/// </param>
public sealed record ChunkCompletion(
    long ChunkId,
    long Epoch,
    string? Cursor,
    ChunkCounters Counters,
    long JobId = 0,
    int Stage = 0,
    IReadOnlyList<ChunkOutput>? Outputs = null,
    bool ProgressStored = false,
    IReadOnlyList<EmittedChunk>? Emitted = null);
