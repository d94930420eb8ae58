using HeavyJobs.Core.Model;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Pipelines;

namespace HeavyJobs.Runtime.Manager;

/// <summary>
/// Returns chunks whose lease ran out (a worker that nobody watches died, or a whole machine did) to the pool
/// with their cursors, counting the death. The only place expired leases are reclaimed.
/// </summary>
public sealed class LeaseReclaimDuty(IMaintenanceStore store, ManagerOptions options, TimeProvider time) : IManagerDuty
{
    /// <summary>A lease is looked at this long after it falls due, so that the reclaim finds it expired.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(50);

    private long? _lastReclaimTs;

    public async Task<DateTimeOffset?> RunAsync(ManagerAgenda agenda, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (agenda.NextLeaseExpiry is not { } expiry)
        {
            return null;
        }

        if (expiry <= now && (_lastReclaimTs is not { } last || time.GetElapsedTime(last) >= options.ReclaimInterval))
        {
            _lastReclaimTs = time.GetTimestamp();
            // Each chunk's return is logged in the transaction that returns it.
            await store.ChunkReclaimExpiredAsync(
                new ChunkReclaimExpiredParams(
                    now,
                    Log: r => new ActionInsertParams(
                        HeavyManager.Actor,
                        r.State == ChunkState.Quarantined ? ActionKinds.Quarantine : ActionKinds.Reclaim,
                        $"lease of worker {r.PreviousOwner} expired",
                        now,
                        WorkerId: r.PreviousOwner,
                        JobId: r.JobId,
                        ChunkId: r.ChunkId)),
                cancellationToken);

            return now + options.Tick;
        }

        return expiry + Slack > now ? expiry + Slack : now + options.Tick;
    }
}
