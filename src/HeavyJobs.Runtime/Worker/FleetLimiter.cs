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
internal static class FleetLimiter
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
        var waiting = Waiters.GetOrCreateValue(store).GetOrAdd(resource, _ => new Waiting());
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
                // moved it: nothing to ask.
                var lateBy = time.GetUtcNow() - start;
                if (lateBy > late)
                    waiting.CameBackLate();
                if (lateBy <= late
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

    /// <summary>How many requests of this process wait for a slot of the resource (for tests).</summary>
    internal static int WaitingFor(IWorkerStoreCalls store, string resource) =>
        Waiters.TryGetValue(store, out var resources) && resources.TryGetValue(resource, out var waiting) ? waiting.Count : 0;

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

    /// <summary>The requests of one process waiting for a resource's slot, first come first served, and how long the store takes to hand out its turns.</summary>
    private sealed class Waiting
    {
        private readonly Queue<TaskCompletionSource<int>> _queue = new();
        private readonly List<int> _spares = [];
        // The store's round trip for a turn, smoothed, and how much it varies: estimated as TCP estimates its
        // round trip (RFC 6298's gains of 1/8 and 1/4).
        private TimeSpan _roundTrip;
        private TimeSpan _variation;
        private bool _measured;
        private bool _leading;
        private long? _fullAt;

        public TimeSpan RoundTripEstimate
        {
            get
            {
                lock (_queue)
                {
                    return _roundTrip;
                }
            }
        }

        /// <summary>
        /// How far ahead of now a request asks for its turn, given how late it may use it: the store's round trip
        /// for one, plus twice its variation, less that lateness (at most <see cref="MaxLead"/>). A turn asked for
        /// "now" comes back a round trip later, and where that is longer than a turn may be late, every turn came
        /// back late and was thrown away, one after another: on a loaded box whose answers through the monitor
        /// took 30-160 ms, three fetchers at a limit of 1,000 a second fetched 10 domains a second (issue 17's
        /// million). Asked for that far ahead, a turn comes back in time to be waited for. Only after a turn came
        /// back late, and until a round trip is short again: a lane starts its next query only once this one has
        /// its turn, and a request holds its slot from the moment it asks, so lead where none is needed slows the
        /// fetcher (always asking ahead took the pilot bench's quiet-box rate from 90 domains/s to 45).
        /// </summary>
        public TimeSpan Lead(TimeSpan late)
        {
            lock (_queue)
            {
                if (!_leading)
                    return TimeSpan.Zero;
                var lead = _roundTrip + (2 * _variation) - late;
                return lead < TimeSpan.Zero ? TimeSpan.Zero : lead < MaxLead ? lead : MaxLead;
            }
        }

        /// <summary>A request of this process found every slot of the resource busy.</summary>
        public void FoundFull(TimeProvider time)
        {
            lock (_queue)
            {
                _fullAt = time.GetTimestamp();
            }
        }

        /// <summary>Whether a request of this process found the resource full within <see cref="FullMemory"/>.</summary>
        public bool LatelyFull(TimeProvider time)
        {
            lock (_queue)
            {
                return _fullAt is { } at && time.GetElapsedTime(at) < FullMemory;
            }
        }

        /// <summary>A turn came back later than it may be used: the process's requests ask ahead from now on.</summary>
        public void CameBackLate()
        {
            lock (_queue)
            {
                _leading = true;
            }
        }

        /// <summary>One store round trip for a turn; one short enough for a turn asked for "now" stops the asking ahead.</summary>
        public void RoundTrip(TimeSpan took, TimeSpan late)
        {
            lock (_queue)
            {
                if (took <= late)
                    _leading = false;
                if (!_measured)
                {
                    (_roundTrip, _variation, _measured) = (took, took / 2, true);
                    return;
                }

                _variation += ((took - _roundTrip).Duration() - _variation) / 4;
                _roundTrip += (took - _roundTrip) / 8;
            }
        }

        /// <summary>A slot handed over by a request of this process within <see cref="SlotRetry"/>, or null: ask the store again.</summary>
        public async ValueTask<int?> NextAsync(TimeProvider time, CancellationToken cancellationToken)
        {
            var handOver = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_queue)
            {
                // Kept while this request was asking the store.
                if (TakeSpareLocked() is { } spare)
                    return spare;

                // Requests that stopped waiting leave their place; the oldest are dropped here.
                while (_queue.TryPeek(out var stale) && stale.Task.IsCompleted)
                {
                    _queue.Dequeue();
                }

                _queue.Enqueue(handOver);
            }

            using var retry = new CancellationTokenSource(SlotRetry, time);
            await using (retry.Token.Register(() => handOver.TrySetCanceled()))
            await using (cancellationToken.Register(() => handOver.TrySetCanceled()))
            {
                await ((Task)handOver.Task).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            // Handed over before the wait ran out: the slot is this request's, whatever else happened.
            return handOver.Task.IsCompletedSuccessfully ? await handOver.Task : null;
        }

        public int Count
        {
            get
            {
                lock (_queue)
                {
                    return _queue.Count(w => !w.Task.IsCompleted);
                }
            }
        }

        /// <summary>A slot kept for the next request of this process, taken by the caller; null if none.</summary>
        public int? TakeSpare()
        {
            lock (_queue)
            {
                return TakeSpareLocked();
            }
        }

        public void Park(int slot)
        {
            lock (_queue)
            {
                _spares.Add(slot);
            }
        }

        /// <summary>True when the slot was still kept (no request took it): the caller gives it back.</summary>
        public bool Unpark(int slot)
        {
            lock (_queue)
            {
                return _spares.Remove(slot);
            }
        }

        private int? TakeSpareLocked()
        {
            if (_spares.Count == 0)
                return null;
            var slot = _spares[^1];
            _spares.RemoveAt(_spares.Count - 1);
            return slot;
        }

        public bool HandOver(int slot)
        {
            lock (_queue)
            {
                while (_queue.TryDequeue(out var next))
                {
                    if (next.TrySetResult(slot))
                    {
                        return true;
                    }
                }
            }

            return false;
        }
    }
}
