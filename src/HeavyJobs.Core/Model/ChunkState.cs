namespace HeavyJobs.Core.Model;

/// <summary>The life of a chunk; drawn in docs/state-machines.md.</summary>
public enum ChunkState
{
    /// <summary>Waiting to be claimed (possibly with progress from an earlier holder, or a retry delay).</summary>
    Pending,
    /// <summary>Held by a worker under a lease.</summary>
    Running,
    /// <summary>Finished; its outputs and counters are final.</summary>
    Done,
    /// <summary>Its handler failed on the last allowed attempt; the error history is kept.</summary>
    Failed,
    /// <summary>Its job was cancelled before it finished.</summary>
    Cancelled,
    /// <summary>Its job is paused; it keeps its cursor and runs again on resume.</summary>
    Paused,
    /// <summary>It killed the workers that took it too many times; only an operator's reset brings it back.</summary>
    Quarantined,
    /// <summary>It belongs to a barrier stage whose earlier stages are not done; the manager releases it.</summary>
    Waiting,
}

public static class ChunkStates
{
    public static string ToDb(this ChunkState state) => state switch
    {
        ChunkState.Pending => "pending",
        ChunkState.Running => "running",
        ChunkState.Done => "done",
        ChunkState.Failed => "failed",
        ChunkState.Cancelled => "cancelled",
        ChunkState.Paused => "paused",
        ChunkState.Quarantined => "quarantined",
        ChunkState.Waiting => "waiting",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    public static ChunkState Parse(string value) => value switch
    {
        "pending" => ChunkState.Pending,
        "running" => ChunkState.Running,
        "done" => ChunkState.Done,
        "failed" => ChunkState.Failed,
        "cancelled" => ChunkState.Cancelled,
        "paused" => ChunkState.Paused,
        "quarantined" => ChunkState.Quarantined,
        "waiting" => ChunkState.Waiting,
        _ => throw new FormatException($"Unknown chunk state '{value}'."),
    };

    /// <summary>States from which a chunk will never run again without an operator.</summary>
    public static bool IsFinal(this ChunkState state) =>
        state is ChunkState.Done or ChunkState.Failed or ChunkState.Cancelled or ChunkState.Quarantined;
}
