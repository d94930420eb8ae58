namespace HeavyJobs.Runtime.Worker;

internal static partial class FleetLimiter
{
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
        private DateTimeOffset _pushedBackAt = DateTimeOffset.MinValue;

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

        /// <summary>A query of this process read the resource's push-back, and the pause was stored by <paramref name="at"/>.</summary>
        public void PushedBack(DateTimeOffset at)
        {
            lock (_queue)
            {
                if (at > _pushedBackAt)
                    _pushedBackAt = at;
            }
        }

        /// <summary>
        /// Whether this process stored a push-back of the resource after <paramref name="reserved"/>. A turn reserved
        /// at the very instant the write came back was reserved after it (the write came back first, or in the same
        /// flow): taken again and again, it would never be used under a clock that does not move.
        /// </summary>
        public bool PushedBackSince(DateTimeOffset reserved)
        {
            lock (_queue)
            {
                return _pushedBackAt > reserved;
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
