using HeavyJobs.Storage.Actions;

namespace HeavyJobs.Storage.Chunks;

/// <summary>
/// An operator's reset. To zero: cursor and counters cleared and the chunk's outputs deleted, so it runs again
/// from the start without doubling anything. To checkpoint: it keeps its progress and only loses its holder.
/// Either way the epoch is bumped, attempts are cleared, and a failed or quarantined chunk runs again.
/// </summary>
/// <param name="Log">The action that explains the reset, logged in its transaction with the chunk's job, if it happened.</param>
public sealed record ChunkResetParams(long ChunkId, bool ToZero, string Actor, DateTimeOffset Now, ActionInsertParams? Log = null);
