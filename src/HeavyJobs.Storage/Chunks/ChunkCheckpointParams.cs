using HeavyJobs.Core.Model;

namespace HeavyJobs.Storage.Chunks;

/// <summary>
/// One checkpoint: the cursor and the absolute counters, with the outputs and next-stage chunks produced since
/// the previous one, all committed together or not at all. With <paramref name="Complete"/> the chunk is done.
/// </summary>
/// <param name="Fresh">Keys of the job's key set that this checkpoint refreshed.</param>
/// <param name="KeepCheckpoints">How many of the chunk's latest checkpoints its history keeps for a rewind (0: none).</param>
public sealed record ChunkCheckpointParams(
    long ChunkId,
    long JobId,
    int Stage,
    long Epoch,
    string? Cursor,
    ChunkCounters Counters,
    IReadOnlyList<ChunkOutput> Outputs,
    IReadOnlyList<EmittedChunk> Emitted,
    bool Complete,
    DateTimeOffset Now,
    TimeSpan Lease,
    IReadOnlyList<KeySets.FreshKey>? Fresh = null,
    int KeepCheckpoints = ChunkDefaults.KeptCheckpoints);

public enum CheckpointOutcome
{
    /// <summary>Written.</summary>
    Committed,

    /// <summary>Written, but the job was paused: the worker should give the chunk back.</summary>
    Yield,

    /// <summary>Nothing written: the worker no longer holds the chunk (reset, cancelled, reclaimed).</summary>
    LeaseLost,
}
