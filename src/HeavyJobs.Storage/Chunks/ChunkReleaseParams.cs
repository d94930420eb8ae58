using HeavyJobs.Storage.Actions;

namespace HeavyJobs.Storage.Chunks;

public sealed record ChunkReleaseParams(long ChunkId, long Epoch, DateTimeOffset Now);

/// <summary>One heartbeat for every chunk held by any of <paramref name="WorkerIds"/> (a monitor beats for all its workers).</summary>
public sealed record ChunkLeaseExtendParams(IReadOnlyList<long> WorkerIds, DateTimeOffset Now, TimeSpan Lease);

public sealed record HeldChunk(long ChunkId, long WorkerId);

/// <summary>
/// Returns the chunks whose leases expired (their holder, or its machine, went silent). None of them counts a death:
/// the fleet gave up on the holder, nobody saw the chunk kill it. <paramref name="QuarantineAfter"/> is kept for callers.
/// </summary>
/// <param name="Log">The action that explains each chunk's return, logged in the same transaction.</param>
public sealed record ChunkReclaimExpiredParams(DateTimeOffset Now, int QuarantineAfter = ChunkDefaults.QuarantineAfter, Func<ReclaimedChunk, ActionInsertParams>? Log = null);

/// <param name="Running">
/// The chunks whose handlers the dead worker was running, as it reported them before starting each: only they
/// count a death. The others it held (claimed ahead and never started, or finished and not yet committed) go
/// back as they were, counting nothing. Null when that is not known: then every chunk it held counts a death.
/// </param>
/// <param name="Ended">How the holds of its chunks ended, for their history (<see cref="HoldEndings"/>).</param>
/// <param name="Log">
/// The actions that explain the returns, from all the chunks returned at once (one line may speak for many),
/// logged in the same transaction.
/// </param>
public sealed record ChunkReclaimByWorkerParams(
    long WorkerId,
    string Reason,
    DateTimeOffset Now,
    int QuarantineAfter = ChunkDefaults.QuarantineAfter,
    IReadOnlyCollection<long>? Running = null,
    string Ended = HoldEndings.Died,
    Func<IReadOnlyList<ReclaimedChunk>, IEnumerable<ActionInsertParams>>? Log = null);

/// <param name="DeathCounted">False for a chunk its dead holder had not been running: it went back counting nothing.</param>
public sealed record ReclaimedChunk(long ChunkId, long JobId, long? PreviousOwner, Core.Model.ChunkState State, bool DeathCounted = true);

public static class ChunkDefaults
{
    /// <summary>
    /// Deaths of a chunk's holders in a row, with no progress committed between them, before the chunk is
    /// quarantined (a death after progress counts as the first of a new row). The default value is 3.
    /// </summary>
    public const int QuarantineAfter = 3;

    /// <summary>The latest checkpoints a chunk's history keeps, to rewind to. The default value is 20.</summary>
    public const int KeptCheckpoints = 20;
}
