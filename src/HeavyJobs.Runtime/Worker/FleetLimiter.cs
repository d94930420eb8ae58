using HeavyJobs.Core.Handlers;
using HeavyJobs.Storage;
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

    public static async ValueTask<IAsyncDisposable> AcquireAsync(IHeavyStore store, TimeProvider time, string resource, ResourceLimit limit, CancellationToken cancellationToken)
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
            var start = await store.RateReserveAsync(new RateReserveParams(resource, interval, time.GetUtcNow()), cancellationToken);
            var wait = start - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, cancellationToken);
            }
        }
        catch
        {
            await store.ServerSlotReleaseAsync(new ServerSlotReleaseParams(resource, slot), CancellationToken.None);
            throw;
        }

        return new Release(store, resource, slot);
    }

    private sealed class Release(IHeavyStore store, string resource, int slot) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await store.ServerSlotReleaseAsync(new ServerSlotReleaseParams(resource, slot), CancellationToken.None);
    }
}
