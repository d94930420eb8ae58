using HeavyJobs.Core.Model;

namespace HeavyJobs.Storage.Chunks;

/// <summary>
/// A failed attempt. The chunk waits until <paramref name="RetryAt"/> and runs again from its last checkpoint,
/// unless this was its last attempt: then it is failed for good, its error history kept.
/// </summary>
public sealed record ChunkFailParams(long ChunkId, long Epoch, long WorkerId, string Error, DateTimeOffset RetryAt, DateTimeOffset Now);

/// <param name="Applied">False when the worker no longer held the chunk.</param>
/// <param name="State">The chunk's state afterwards.</param>
public sealed record FailOutcome(bool Applied, ChunkState State);
