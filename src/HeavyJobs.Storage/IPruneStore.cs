using HeavyJobs.Storage.Retention;

namespace HeavyJobs.Storage;

/// <summary>
/// Retention: removes what is old enough to go, a small batch at a time, so a prune of a long history never holds
/// a lock the workers wait on for long. Safe to run from several processes at once.
/// </summary>
public interface IPruneStore
{
    /// <summary>How many rows a prune with these cut-offs would remove; changes nothing.</summary>
    Task<PruneCounts> PruneCountAsync(PruneParams p, CancellationToken cancellationToken);

    /// <summary>
    /// Removes at most one batch from each table, each in a transaction of its own, and returns what went; call it
    /// again until it returns <see cref="PruneCounts.Zero"/>. A finished job's counts are recounted before its first
    /// chunk goes, and read from that recount from then on; the outputs of its last stage (its result) are kept.
    /// </summary>
    Task<PruneCounts> PruneBatchAsync(PruneParams p, CancellationToken cancellationToken);
}
