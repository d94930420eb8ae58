using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
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
/// <remarks>
/// A request takes its slot and its turn in one store write (<see cref="IWorkerStoreCalls.ServerTurnTakeAsync"/>).
/// A request that ends hands its slot to a request of the same process waiting for that resource, if there is
/// one, instead of giving it back to the store: the next request renews the slot's hold and takes its turn in
/// that same one write, and no slot sits free between a release and the next poll. A slot no request waits for
/// is kept for <see cref="SpareFor"/> before it goes back: a fetcher starts the next query at the same server
/// a moment after one ends, and that query then takes the slot with its turn in one write instead of two (the
/// store's writes were what held the fetchers back: issue 17). Not while the resource is at its cap, though
/// (<see cref="FullMemory"/>): then other processes wait for the slot, and it goes back at once. Slots still count fleet-wide, as each stays taken
/// in the store while it passes from request to request or waits to be taken.
/// </remarks>
internal static partial class FleetLimiter
{
    /// <summary>
    /// How long to wait before asking the store again for a slot when all are busy (one freed in this process comes
    /// at once). Only the one request of a fetcher's lane that waits for its turn asks (<c>FetchLanes</c>), so a
    /// process asks about 40 times a second per resource at its cap. At 50 ms a slot freed by another process sat
    /// free 25 ms on average before a poll found it (a twelfth of a query at a 300 ms server).
    /// </summary>
    private static readonly TimeSpan SlotRetry = TimeSpan.FromMilliseconds(25);

    /// <summary>
    /// How late a turn may still be used, as a share of the spacing, but never less than <see cref="LateFloor"/>.
    /// At 4 starts a second or fewer, starts are then never closer than nine tenths of the spacing.
    /// </summary>
    private const int LateShare = 10;

    /// <summary>
    /// The least lateness a turn may have and still be used. A tenth of a fast rate's spacing (1 ms at 100/s)
    /// is less than one store write takes, so a fresh turn came back late every time and requests took turn
    /// after turn without going (issue 17: a tenth of the allowance). Starts are spaced wider by the same share
    /// of a second instead, so a one-second window still holds at most one more start than the rate promises;
    /// two starts may come closer than the spacing.
    /// </summary>
    private static readonly TimeSpan LateFloor = TimeSpan.FromMilliseconds(25);

    /// <summary>How long a slot no request of this process waits for is kept for the next one before it goes back to the store.</summary>
    internal static readonly TimeSpan SpareFor = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// How long after a request of this process found every slot of a resource busy a freed slot goes back to the
    /// store at once instead of being kept <see cref="SpareFor"/>: at its cap, other processes of the fleet wait
    /// for it too, and a slot kept for a query this process may not start (its chunk's last domains for that
    /// server are in flight) was lost time for them.
    /// </summary>
    internal static readonly TimeSpan FullMemory = TimeSpan.FromSeconds(1);

    // Requests of this process waiting for a slot, per store (one per worker process) and resource.
    private static readonly ConditionalWeakTable<IWorkerStoreCalls, ConcurrentDictionary<string, Waiting>> Waiters = new();

    public static async ValueTask<IAsyncDisposable> AcquireAsync(IWorkerStoreCalls store, TimeProvider time, string resource, ResourceLimit limit, CancellationToken cancellationToken)
    {
        var waiting = WaitingAt(store, resource);
        var spacing = TimeSpan.FromSeconds(1 / Math.Max(0.001, limit.RequestsPerSecond));
        var late = spacing / LateShare > LateFloor ? spacing / LateShare : LateFloor;
        // A start up to `late` after its turn: the turns are spaced so that a second plus that lateness holds no more of them than the rate.
        // The store keeps whole milliseconds: rounded up, never down to a spacing of nothing.
        var interval = TimeSpan.FromMilliseconds(Math.Ceiling((spacing * (1 + (late - spacing / LateShare) / TimeSpan.FromSeconds(1))).TotalMilliseconds));
        var queued = false;
        var handed = waiting.TakeSpare();
        ServerTurn turn;
        DateTimeOffset reserved, floor;
        while (true)
        {
            reserved = time.GetUtcNow();
            floor = reserved + waiting.Lead(late);
            try
            {
                if (await store.ServerTurnTakeAsync(new ServerTurnTakeParams(resource, limit.Concurrency, reserved + limit.MaxRequestTime, interval, reserved, handed, floor), cancellationToken) is { } taken)
                {
                    waiting.RoundTrip(time.GetUtcNow() - reserved, late);
                    turn = taken;
                    break;
                }
            }
            catch when (handed is { } slot)
            {
                await ReleaseAsync(store, waiting, resource, slot);
                throw;
            }

            // Every slot is busy (or the one handed over ran past its hold and was taken): the fleet is full.
            queued = true;
            waiting.FoundFull(time);
            handed = await waiting.NextAsync(time, cancellationToken);
            if (cancellationToken.IsCancellationRequested && handed is { } unused)
            {
                await ReleaseAsync(store, waiting, resource, unused);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        try
        {
            var start = turn.Start;
            // Further off than the resource has slots in spacings: its rate, not its slots, holds requests back.
            queued |= start - floor > limit.Concurrency * interval;
            while (true)
            {
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
                // turn free at the earliest this request asked for was reserved after any push-back, which would have
                // moved it: nothing to ask. Except where this process itself was told since it reserved the turn: a
                // turn asked for ahead (Lead) can be free at the earliest asked for and still predate a push-back that
                // another query of the same fetcher read while it waited.
                var lateBy = time.GetUtcNow() - start;
                if (lateBy > late)
                    waiting.CameBackLate();
                if (lateBy <= late
                    && !waiting.PushedBackSince(reserved)
                    && (start - floor <= late || await store.RateTurnStandsAsync(new RateTurnParams(resource, reserved), cancellationToken)))
                {
                    break;
                }

                reserved = time.GetUtcNow();
                floor = reserved + waiting.Lead(late);
                start = await store.RateReserveAsync(new RateReserveParams(resource, interval, reserved, floor), cancellationToken);
                waiting.RoundTrip(time.GetUtcNow() - reserved, late);
            }
        }
        catch
        {
            await ReleaseAsync(store, waiting, resource, turn.Slot);
            throw;
        }

        return new Turn(store, time, waiting, resource, turn.Slot, queued);
    }

    private static Waiting WaitingAt(IWorkerStoreCalls store, string resource) =>
        Waiters.GetOrCreateValue(store).GetOrAdd(resource, _ => new Waiting());

    /// <summary>How many requests of this process wait for a slot of the resource (for tests).</summary>
    internal static int WaitingFor(IWorkerStoreCalls store, string resource) =>
        Waiters.TryGetValue(store, out var resources) && resources.TryGetValue(resource, out var waiting) ? waiting.Count : 0;

    /// <summary>How long starts stay spaced further apart after a resource pushed back.</summary>
    public static readonly TimeSpan SlowFor = TimeSpan.FromSeconds(60);

    public static async ValueTask BackOffAsync(IWorkerStoreCalls store, TimeProvider time, string resource, TimeSpan pause, ClaimedChunk chunk, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        // Logged once per incident, not once per worker that saw the same push-back, and in the write that pauses
        // the fleet: a worker killed after sending it leaves both or, before, neither.
        var incident = new ActionInsertParams("worker", ActionKinds.SlowDown, $"{resource} pushed back", now, JobId: chunk.JobId, ChunkId: chunk.Id);
        await store.RateBackOffAsync(new RateBackOffParams(resource, pause, SlowFor, now, Incident: incident), cancellationToken);
        // This process's turns reserved before the pause was stored are void at once, without asking the store. The
        // mark is when the write came back, not `now`: a turn reserved while the write was on its way may predate it.
        WaitingAt(store, resource).PushedBack(time.GetUtcNow());
    }

    /// <summary>Hands the slot to a request of this process waiting for it, or gives it back to the store.</summary>
    private static async ValueTask ReleaseAsync(IWorkerStoreCalls store, Waiting waiting, string resource, int slot)
    {
        if (!waiting.HandOver(slot))
        {
            await store.ServerSlotReleaseAsync(new ServerSlotReleaseParams(resource, slot), CancellationToken.None);
        }
    }

    /// <summary>
    /// Hands the slot to a request of this process waiting for it, or keeps it <see cref="SpareFor"/> for the next
    /// one (unless the resource was lately full, see <see cref="FullMemory"/>), then gives it back.
    /// </summary>
    private static async Task ReleaseSoonAsync(IWorkerStoreCalls store, TimeProvider time, Waiting waiting, string resource, int slot)
    {
        if (waiting.HandOver(slot))
            return;

        if (!waiting.LatelyFull(time))
        {
            waiting.Park(slot);
            await Task.Delay(SpareFor, time, CancellationToken.None);
            if (!waiting.Unpark(slot))
                return;
        }

        try
        {
            await store.ServerSlotReleaseAsync(new ServerSlotReleaseParams(resource, slot), CancellationToken.None);
        }
        catch (Exception)
        {
            // The store is away: the slot stays taken until its hold runs out, as a dead process's would.
        }
    }

    private sealed class Turn(IWorkerStoreCalls store, TimeProvider time, Waiting waiting, string resource, int slot, bool queued) : IResourceTurn
    {
        private int _released;

        public bool Queued { get; } = queued;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                // Not awaited past the hand-over: the request is done, its slot's wait for a taker is not its own.
                var release = ReleaseSoonAsync(store, time, waiting, resource, slot);
                if (release.IsCompleted)
                    await release;
            }
        }
    }

    /// <summary>The most a request asks for its turn ahead of now (see <see cref="Waiting.Lead"/>).</summary>
    internal static readonly TimeSpan MaxLead = TimeSpan.FromMilliseconds(500);

    /// <summary>The store's round trip for a turn as this process estimates it for the resource (for tests).</summary>
    internal static TimeSpan RoundTripFor(IWorkerStoreCalls store, string resource) =>
        Waiters.TryGetValue(store, out var resources) && resources.TryGetValue(resource, out var waiting) ? waiting.RoundTripEstimate : TimeSpan.Zero;
}
