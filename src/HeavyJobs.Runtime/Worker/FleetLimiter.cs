using HeavyJobs.Core.Handlers;
using HeavyJobs.Runtime.Worker.StoreAccess;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Politeness;

namespace HeavyJobs.Runtime.Worker;

/// <summary>
/// A rate limit and a concurrency cap per external resource that hold across all workers of the fleet: the
/// store hands out spaced start times and a fixed number of slots, so no process can be impolite on its own.
/// </summary>
internal static class FleetLimiter
{
    /// <summary>How long to wait before asking again for a slot when all are busy.</summary>
    private static readonly TimeSpan SlotRetry = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// How late a turn may still be used, as a share of the spacing. Starts are then never closer than nine
    /// tenths of the spacing, and a one-second window holds at most one more start than the rate promises.
    /// </summary>
    private const int LateShare = 10;

    public static async ValueTask<IAsyncDisposable> AcquireAsync(IWorkerStoreCalls store, TimeProvider time, string resource, ResourceLimit limit, CancellationToken cancellationToken)
    {
        int slot;
        while (true)
        {
            var now = time.GetUtcNow();
            if (await store.ServerSlotAcquireAsync(new ServerSlotAcquireParams(resource, limit.Concurrency, now + limit.MaxRequestTime, now), cancellationToken) is { } s)
            {
                slot = s;
                break;
            }

            await Task.Delay(SlotRetry, time, cancellationToken);
        }

        try
        {
            var interval = TimeSpan.FromSeconds(1 / Math.Max(0.001, limit.RequestsPerSecond));
            while (true)
            {
                var reservedAt = time.GetUtcNow();
                var start = await store.RateReserveAsync(new RateReserveParams(resource, interval, reservedAt), cancellationToken);
                var wait = start - time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, cancellationToken);
                }

                // A turn used late (the process was descheduled, the database answered slowly) would land right next
                // to the turns after it, a burst the resource sees as impolite: take a fresh turn instead, however
                // often it takes. The unused turn only leaves a gap; a loaded machine fetches slower, never faster.
                // A turn handed out before the resource pushed back (another worker got the answer while this one
                // waited) was spaced for a resource that has since asked for a pause: a fresh turn comes after it. A
                // turn free at once was reserved after any push-back, which would have moved it: nothing to ask.
                if (time.GetUtcNow() - start <= interval / LateShare
                    && (wait <= TimeSpan.Zero || await store.RateTurnStandsAsync(new RateTurnParams(resource, reservedAt), cancellationToken)))
                {
                    break;
                }
            }
        }
        catch
        {
            await store.ServerSlotReleaseAsync(new ServerSlotReleaseParams(resource, slot), CancellationToken.None);
            throw;
        }

        return new Release(store, resource, slot);
    }

    /// <summary>How long starts stay spaced further apart after a resource pushed back.</summary>
    public static readonly TimeSpan SlowFor = TimeSpan.FromSeconds(60);

    public static async ValueTask BackOffAsync(IWorkerStoreCalls store, TimeProvider time, string resource, TimeSpan pause, ClaimedChunk chunk, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var result = await store.RateBackOffAsync(new RateBackOffParams(resource, pause, SlowFor, now), cancellationToken);
        if (result.NewIncident)
        {
            // Logged once per incident, not once per worker that saw the same push-back.
            await store.ActionInsertAsync(
                new ActionInsertParams(
                    "worker",
                    ActionKinds.SlowDown,
                    $"{resource} pushed back: every worker waits until {result.ResumeAt:HH:mm:ss.fff}, then spaces its starts ×{result.SlowFactor:0.#} until {result.SlowUntil:HH:mm:ss}",
                    now,
                    JobId: chunk.JobId,
                    ChunkId: chunk.Id),
                cancellationToken);
        }
    }

    private sealed class Release(IWorkerStoreCalls store, string resource, int slot) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await store.ServerSlotReleaseAsync(new ServerSlotReleaseParams(resource, slot), CancellationToken.None);
    }
}
