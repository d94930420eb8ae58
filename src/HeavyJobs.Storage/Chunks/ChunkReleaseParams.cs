namespace HeavyJobs.Storage.Chunks;

public sealed record ChunkReleaseParams(long ChunkId, long Epoch, DateTimeOffset Now);

/// <summary>One heartbeat for every chunk held by any of <paramref name="WorkerIds"/> (a monitor beats for all its workers).</summary>
public sealed record ChunkLeaseExtendParams(IReadOnlyList<long> WorkerIds, DateTimeOffset Now, TimeSpan Lease);

public sealed record HeldChunk(long ChunkId, long WorkerId);

/// <param name="QuarantineAfter">A chunk whose holders died this many times is quarantined instead of retried.</param>
public sealed record ChunkReclaimExpiredParams(DateTimeOffset Now, int QuarantineAfter = ChunkDefaults.QuarantineAfter);

public sealed record ChunkReclaimByWorkerParams(long WorkerId, string Reason, DateTimeOffset Now, int QuarantineAfter = ChunkDefaults.QuarantineAfter);

public sealed record ReclaimedChunk(long ChunkId, long JobId, long? PreviousOwner, Core.Model.ChunkState State);

public static class ChunkDefaults
{
    /// <summary>Deaths of a chunk's holders before the chunk is quarantined. The default value is 3.</summary>
    public const int QuarantineAfter = 3;
}
