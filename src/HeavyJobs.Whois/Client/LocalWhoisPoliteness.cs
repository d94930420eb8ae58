using System.Collections.Concurrent;

namespace HeavyJobs.Whois.Client;

/// <summary>
/// In-process politeness: per server, a token bucket over <see cref="TimeProvider"/> for the rate and a
/// <see cref="SemaphoreSlim"/> for the concurrency cap. Only protects servers from this process; a fleet of
/// workers needs a shared implementation.
/// </summary>
public sealed class LocalWhoisPoliteness : IWhoisPoliteness, IDisposable
{
    private readonly LocalWhoisPolitenessOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ConcurrentDictionary<string, ServerGate> _gates = new(StringComparer.OrdinalIgnoreCase);

    public LocalWhoisPoliteness(LocalWhoisPolitenessOptions? options = null, TimeProvider? timeProvider = null)
    {
        _options = options ?? new LocalWhoisPolitenessOptions();
        _options.Default.Validate(nameof(options));
        foreach (var limits in _options.PerServer.Values)
            limits.Validate(nameof(options));
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public async ValueTask<IAsyncDisposable> AcquireAsync(string serverName, CancellationToken cancellationToken)
    {
        var gate = Gate(serverName);

        // Concurrency first, rate second: a token taken while queued behind the semaphore would be spent late,
        // and several late tokens spent together would burst past the rate.
        await gate.Concurrency.WaitAsync(cancellationToken);
        try
        {
            await gate.TakeTokenAsync(cancellationToken);
            return new Lease(gate.Concurrency);
        }
        catch
        {
            gate.Concurrency.Release();
            throw;
        }
    }

    /// <summary>Counters of one server's gate, for monitoring and tests.</summary>
    public WhoisPolitenessStatistics GetStatistics(string serverName) => Gate(serverName).Statistics();

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var gate in _gates.Values)
            gate.Dispose();
    }

    private ServerGate Gate(string serverName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serverName);
        return _gates.GetOrAdd(serverName, static (name, self) => new ServerGate(self.LimitsFor(name), self._timeProvider), this);
    }

    private WhoisPolitenessLimits LimitsFor(string serverName) =>
        _options.PerServer.TryGetValue(serverName, out var limits)
            ? limits
            : _options.PerServer.FirstOrDefault(p => p.Key.Equals(serverName, StringComparison.OrdinalIgnoreCase)).Value ?? _options.Default;

    /// <summary>
    /// The token bucket in its "virtual scheduling" form (GCRA), in integer timestamp units: a query may start
    /// once now ≥ tat − tolerance, and each start pushes tat one interval past max(tat, now). Starts are booked
    /// at the instant they actually happen, so however late a waiter wakes, two starts are never closer than the
    /// bucket allows. Waiters queue first come, first served and are released by one timer, whose callback grants
    /// synchronously: with a fake clock, every start due by an Advance has happened when Advance returns.
    /// </summary>
    private sealed class ServerGate : IDisposable
    {
        private readonly Lock _lock = new();
        private readonly Queue<TaskCompletionSource> _waiters = new();
        private readonly TimeProvider _timeProvider;
        private readonly ITimer _timer;
        private readonly int _maxConcurrency;
        private readonly long _interval;
        private readonly long _tolerance;
        private long _tat;
        private bool _started;
        private long _granted;
        private long _armedFor = long.MinValue;

        public ServerGate(WhoisPolitenessLimits limits, TimeProvider timeProvider)
        {
            _timeProvider = timeProvider;
            _maxConcurrency = limits.MaxConcurrency;
            _interval = Math.Max(1, (long)Math.Round(timeProvider.TimestampFrequency / limits.RequestsPerSecond));
            _tolerance = _interval * (limits.Burst - 1);
            Concurrency = new SemaphoreSlim(limits.MaxConcurrency, limits.MaxConcurrency);
            _timer = timeProvider.CreateTimer(static state => ((ServerGate)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        public SemaphoreSlim Concurrency { get; }

        public async Task TakeTokenAsync(CancellationToken cancellationToken)
        {
            TaskCompletionSource waiter;
            lock (_lock)
            {
                if (_waiters.Count == 0 && TryStart(_timeProvider.GetTimestamp()))
                    return;
                waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Enqueue(waiter);
                Drain();
            }

            // A cancelled waiter stays queued and is skipped when its turn comes; it consumed no token.
            await using var registration = cancellationToken.UnsafeRegister(
                static (state, token) => ((TaskCompletionSource)state!).TrySetCanceled(token), waiter);
            await waiter.Task;
        }

        public WhoisPolitenessStatistics Statistics()
        {
            lock (_lock)
            {
                return new WhoisPolitenessStatistics(
                    _granted,
                    _waiters.Count(w => !w.Task.IsCompleted),
                    _maxConcurrency - Concurrency.CurrentCount);
            }
        }

        public void Dispose()
        {
            lock (_lock)
            {
                _timer.Dispose();
                while (_waiters.TryDequeue(out var waiter))
                    waiter.TrySetException(new ObjectDisposedException(nameof(LocalWhoisPoliteness)));
            }

            Concurrency.Dispose();
        }

        private void OnTimer()
        {
            lock (_lock)
            {
                _armedFor = long.MinValue;
                Drain();
            }
        }

        /// <summary>Starts every waiter whose turn has come, then arms the timer for the next one. Under the lock.</summary>
        private void Drain()
        {
            for (var attempt = 0; attempt < 2; attempt++)
            {
                var now = _timeProvider.GetTimestamp();
                while (_waiters.TryPeek(out var head))
                {
                    if (head.Task.IsCompleted)
                    {
                        _waiters.Dequeue();
                        continue;
                    }

                    if (!TryStart(now))
                        break;
                    _waiters.Dequeue();
                    head.TrySetResult();
                }

                if (_waiters.Count == 0)
                    return;

                // Already armed for the head's start: leave it, re-arming from a reading taken on another
                // thread can only move it later.
                var target = _tat - _tolerance;
                if (_armedFor == target)
                    return;
                _armedFor = target;

                // Round up: waking a tick early would only re-arm, waking late would waste budget.
                var wait = target - now;
                _timer.Change(TimeSpan.FromTicks((long)Math.Ceiling(wait * (double)TimeSpan.TicksPerSecond / _timeProvider.TimestampFrequency)), Timeout.InfiniteTimeSpan);

                // A clock that moved while the timer was armed (another thread advancing a fake clock) leaves it
                // due later than meant; arm once more from the fresh reading.
                if (attempt == 1 || _timeProvider.GetTimestamp() == now)
                    return;
                _armedFor = long.MinValue;
            }
        }

        private bool TryStart(long now)
        {
            if (_started && now < _tat - _tolerance)
                return false;
            _tat = (_started ? Math.Max(_tat, now) : now) + _interval;
            _started = true;
            _granted++;
            return true;
        }
    }

    private sealed class Lease(SemaphoreSlim semaphore) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                semaphore.Release();
            return ValueTask.CompletedTask;
        }
    }
}
