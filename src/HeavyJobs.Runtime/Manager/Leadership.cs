using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Fleet;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Runtime.Manager;

/// <summary>
/// Exactly one manager of a fleet acts: the one that holds the store's "manager" lock (a PostgreSQL session
/// advisory lock, or a lock file beside a SQLite database). The others wait on the lock and take over the moment
/// it is free. Each leader starts a new epoch in the database, and its writes are fenced by it
/// (<see cref="StoreFence"/>), so a leader that lost the lock while frozen cannot make a late write stick.
/// </summary>
public sealed partial class Leadership(IMaintenanceStore store, ManagerOptions options, TimeProvider time, ILogger logger)
{
    public const string LockName = "manager";

    /// <summary>Who this manager is, in the action log and the leader row.</summary>
    public static string Holder { get; } = $"{Environment.MachineName} pid {Environment.ProcessId}";

    /// <summary>Waits until this manager leads; returns its term.</summary>
    public async Task<LeaderTerm> AcquireAsync(CancellationToken cancellationToken)
    {
        var lockOptions = new LockOptions(options.LeaderLockIdle);
        var taken = await store.TryLockAsync(LockName, lockOptions, cancellationToken);
        if (taken is null)
        {
            var leader = await store.LeaderGetAsync(cancellationToken);
            LogStandby(leader.Holder, leader.Epoch);
            taken = await store.LockAsync(LockName, lockOptions, cancellationToken);
        }

        // The term counts from here, not from when it starts: a manager frozen while it writes its epoch holds a
        // lock whose session the database may have ended meanwhile, and must ask the lock before it acts.
        var takenTs = time.GetTimestamp();
        try
        {
            var now = time.GetUtcNow();
            var epoch = await store.LeaderTakeAsync(
                new LeaderTakeParams(Holder, now, e => new ActionInsertParams(HeavyManager.Actor, ActionKinds.Lead, $"manager {Holder} leads (epoch {e})", now)),
                cancellationToken);
            var term = new LeaderTerm(taken, epoch, takenTs, options, time, late => LogRenewedLate(late.TotalSeconds, epoch));
            LogLeads(epoch);
            return term;
        }
        catch
        {
            await taken.DisposeAsync();
            throw;
        }
    }

    [LoggerMessage(3010, LogLevel.Information, "Standing by: manager {Holder} leads (epoch {Epoch})")]
    private partial void LogStandby(string holder, long epoch);

    [LoggerMessage(3011, LogLevel.Information, "This manager leads (epoch {Epoch})")]
    private partial void LogLeads(long epoch);

    [LoggerMessage(3012, LogLevel.Warning, "The manager's lock was renewed {Seconds:0.0} s after the last renewal (the process was frozen or starved of CPU); the lock is still held: this manager still leads (epoch {Epoch})")]
    private partial void LogRenewedLate(double seconds, long epoch);
}

/// <summary>
/// One leader's term: the lock, the epoch, and the renewals that keep the lock's session from the database's
/// idle limit. The term is valid only while the last renewal is recent enough that the database cannot yet have
/// ended the session: a leader that froze (SIGSTOP, a long pause) finds its term invalid before it writes again.
/// </summary>
public sealed class LeaderTerm : IAsyncDisposable
{
    private readonly IStoreLock _lock;
    private readonly ManagerOptions _options;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _lost = new();
    private readonly Task _renewals;
    private readonly Action<TimeSpan> _renewedLate;
    private long _renewedTs;

    /// <param name="heldSince">When the lock was taken (a timestamp of <paramref name="time"/>): the term's first renewal.</param>
    /// <param name="renewedLate">Told when a renewal came late (the process was frozen or starved) and found the lock still held.</param>
    internal LeaderTerm(IStoreLock held, long epoch, long heldSince, ManagerOptions options, TimeProvider time, Action<TimeSpan> renewedLate)
    {
        _renewedLate = renewedLate;
        _lock = held;
        Epoch = epoch;
        _options = options;
        _time = time;
        _renewedTs = heldSince;
        _renewals = Task.Run(RenewAsync);
    }

    public long Epoch { get; }

    /// <summary>Cancelled when the lead is lost.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>
    /// The lead is certainly still held: the last renewal is younger than the idle limit minus the time a renewal
    /// may take. Checked before every pass; the epoch fence in the database covers the rest.
    /// </summary>
    public bool Valid => !_lost.IsCancellationRequested && _time.GetElapsedTime(Interlocked.Read(ref _renewedTs)) < _options.LeaderLockIdle * 0.7;

    private TimeSpan RenewEvery => _options.LeaderLockIdle / 3;

    /// <summary>
    /// True while the lead is held. A term whose last renewal is stale asks the lock before giving up: a process
    /// starved of CPU for a few seconds still holds a lock file, or a session the database has not ended, and
    /// nobody else can lead while it does. Only a failed renewal (the session ended, the handle closed) loses it.
    /// </summary>
    public async ValueTask<bool> EnsureHeldAsync(CancellationToken cancellationToken)
    {
        if (Valid)
        {
            return true;
        }

        return !_lost.IsCancellationRequested && await RenewNowAsync(cancellationToken);
    }

    private async Task<bool> RenewNowAsync(CancellationToken cancellationToken)
    {
        var before = _time.GetTimestamp();
        var late = _time.GetElapsedTime(Interlocked.Read(ref _renewedTs));
        if (!await _lock.RenewAsync(cancellationToken))
        {
            await _lost.CancelAsync();
            return false;
        }

        Interlocked.Exchange(ref _renewedTs, before);
        if (late >= _options.LeaderLockIdle * 0.7)
        {
            _renewedLate(late);
        }

        return true;
    }

    private async Task RenewAsync()
    {
        try
        {
            // A renewal that comes late (a frozen or starved process) is still the truth: a session the database
            // ended, or a lock another manager took meanwhile, fails it; until it answers, Valid keeps this
            // manager from acting.
            do
            {
                await Task.Delay(RenewEvery, _time, _lost.Token);
            }
            while (await RenewNowAsync(_lost.Token));
        }
        catch (OperationCanceledException)
        {
        }

        await _lost.CancelAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _lost.CancelAsync();
        await _renewals;
        await _lock.DisposeAsync();
        _lost.Dispose();
    }
}
