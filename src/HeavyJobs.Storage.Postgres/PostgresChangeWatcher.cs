using HeavyJobs.Storage.Changes;
using HeavyJobs.Storage.Faults;
using HeavyJobs.Storage.Relational;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace HeavyJobs.Storage.Postgres;

/// <summary>
/// One LISTEN connection that sleeps in the server until a work-making transaction commits a NOTIFY. A
/// background loop owns the connection and only ever waits without a timeout; callers wait on a signal with
/// theirs, so a caller's timeout never leaves the connection half-way through a read. Given a lock name, the
/// same session holds that advisory lock (a machine's name), so the name costs no connection of its own.
/// </summary>
internal sealed partial class PostgresChangeWatcher(NpgsqlDataSource dataSource, string channel, TimeProvider time, ILogger logger, string? lockName = null) : ILockingChangeWatcher
{
    /// <summary>While the session keeps failing, how often it says so again after the first time.</summary>
    internal static readonly TimeSpan FailureReportInterval = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim _changed = new(0);
    private readonly CancellationTokenSource _stop = new();
    // True once listening (and holding the lock, if asked); false if the lock was another's at the first try.
    private readonly TaskCompletionSource<bool> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;
    private volatile bool _held = true;
    // The server's pid and start (µs) of the session that holds the lock; see TakeLockAsync.
    private (int Pid, long Start)? _session;

    public string LockName => lockName ?? "";

    public bool Held => _held;

    private string Holding => lockName is null ? "" : $" that holds lock '{lockName}'";

    /// <summary>Listens and takes the lock; null (and nothing left open) if another session holds it.</summary>
    public static async Task<ILockingChangeWatcher?> TakeAsync(NpgsqlDataSource dataSource, string channel, TimeProvider time, ILogger logger, string lockName, CancellationToken cancellationToken)
    {
        var watcher = new PostgresChangeWatcher(dataSource, channel, time, logger, lockName);
        watcher._loop = Task.Run(watcher.ListenAsync, CancellationToken.None);
        try
        {
            // No timeout: a monitor that starts while the database is down waits for it, as its other calls do.
            if (await watcher._listening.Task.WaitAsync(cancellationToken))
            {
                return watcher;
            }
        }
        catch
        {
            await watcher.DisposeAsync();
            throw;
        }

        await watcher.DisposeAsync();
        return null;
    }

    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_loop is null)
        {
            _loop = Task.Run(ListenAsync, CancellationToken.None);
            // The first call returns only once LISTEN is in place, so no change after it can be missed.
            await _listening.Task.WaitAsync(TimeSpan.FromSeconds(30), time, cancellationToken);
        }

        var woken = await _changed.WaitAsync(timeout, cancellationToken);
        // Many notifications while nobody waited are one change to look at.
        while (_changed.CurrentCount > 0 && _changed.Wait(0, CancellationToken.None))
        {
        }

        return woken;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        _stop.Dispose();
        _changed.Dispose();
    }

    /// <summary>
    /// Takes the lock on this session. The session that held it before a failure may live on in the server after
    /// this side gave it up (the server had not yet noticed: its keepalives turned off, a proxy or firewall that
    /// dropped only this side), still holding the name: this watcher would then find its own old session in its
    /// way and its monitor would stop. So that session, known by its pid and start, is ended first.
    /// </summary>
    private async Task<bool> TakeLockAsync(NpgsqlConnection connection, string name)
    {
        if (_session is { } old)
        {
            try
            {
                // Waits (up to 10 s) until the backend is gone, so that its lock is free for the statement after.
                var ended = await connection.Command(
                        "SELECT coalesce(bool_or(pg_terminate_backend(pid, 10000)), false) FROM pg_stat_activity WHERE pid = @pid AND " + SessionStartSql + " = @start")
                    .With("pid", old.Pid).With("start", old.Start).ScalarAsync(_stop.Token);
                if (ended is true)
                {
                    LogOldSessionEnded(logger, old.Pid, name);
                }
            }
            catch (PostgresException ex)
            {
                // Not allowed to end it (another role's session): the name is taken as before, or found taken.
                LogOldSessionNotEnded(logger, ex, old.Pid, name);
            }

            // Asked once; if the connection broke meanwhile, the next one asks again.
            _session = null;
        }

        var taken = await connection.Command($"SELECT pg_try_advisory_lock({PostgresLock.KeySql}), {SessionStartSql} FROM pg_stat_activity WHERE pid = pg_backend_pid()")
            .With("name", name)
            .ListAsync(r => (Held: r.GetBoolean(0), Start: r.GetInt64(1)), _stop.Token);
        var held = taken is [{ Held: true }];
        if (held)
        {
            _session = (connection.ProcessID, taken[0].Start);
        }

        return held;
    }

    // A backend's start to the microsecond: with its pid, it names one session for good (pids are reused).
    private const string SessionStartSql = "(extract(epoch FROM backend_start) * 1000000)::bigint";

    private async Task ListenAsync()
    {
        var failures = 0;
        var reportedAt = DateTimeOffset.MinValue;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(_stop.Token);
                connection.Notification += (_, _) => _changed.Release();
                var held = lockName is null || await TakeLockAsync(connection, lockName);
                // Another process holds the name: at the first try the caller is told; later, the holder learns it
                // lost the name (another took it while this session was gone) and stops.
                if (!held && _listening.TrySetResult(false))
                {
                    return;
                }

                // LISTEN last, so the session's last statement says what it is for (pg_stat_activity.query).
                await connection.Command($"LISTEN {channel}").ExecAsync(_stop.Token);

                _held = held;
                _listening.TrySetResult(true);
                if (failures > 0)
                {
                    // Changes may have been missed while the connection was down: let the waiters look.
                    _changed.Release();
                    LogListeningAgain(logger, channel, Holding, failures);
                }

                failures = 0;
                // A session cut off by the network errors here too, by the socket's own keepalives (PostgresStore's
                // sessions): a side that only listens never hears otherwise, while the server ends the session (and
                // frees the name) by its own.
                while (true)
                {
                    await connection.WaitAsync(_stop.Token);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (!_stop.IsCancellationRequested)
            {
                // The database went away (restarted, the backend terminated): whatever the error, a watcher that
                // stopped listening would leave idle workers asleep for good. Try again with a growing pause; the
                // caller's fallback poll covers the gap, and the first session after it counts as a change. A
                // lock's first try keeps its caller waiting until it has an answer.
                failures++;
                if (lockName is null)
                {
                    _listening.TrySetResult(true);
                }

                // Nothing else would show it: no caller sees this error, and a monitor taking its machine's name
                // waits here at start. Said at the first failure, then once a minute while it lasts.
                var now = time.GetUtcNow();
                if (failures == 1 || now - reportedAt >= FailureReportInterval)
                {
                    reportedAt = now;
                    LogSessionFailing(logger, channel, Holding, failures, StoreErrorText.WithCauses(ex));
                }

                try
                {
                    // Capped at 2 s: once the database is back, idle workers are woken within about that.
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2_000, 100 * (1 << Math.Min(failures, 5)))), time, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    [LoggerMessage(4003, LogLevel.Information, "Ended this watcher's previous session (backend pid {Pid}), which the server still kept, so that lock '{Lock}' can be taken again")]
    private static partial void LogOldSessionEnded(ILogger logger, int pid, string @lock);

    [LoggerMessage(4004, LogLevel.Warning, "Could not end this watcher's previous session (backend pid {Pid}) before taking lock '{Lock}' again")]
    private static partial void LogOldSessionNotEnded(ILogger logger, Exception exception, int pid, string @lock);

    [LoggerMessage(4001, LogLevel.Warning, "The listening session on {Channel}{Holding} failed {Failures} time(s) in a row; retrying until it opens: {Reason}")]
    private static partial void LogSessionFailing(ILogger logger, string channel, string holding, int failures, string reason);

    [LoggerMessage(4002, LogLevel.Information, "The listening session on {Channel}{Holding} is back after {Failures} failure(s)")]
    private static partial void LogListeningAgain(ILogger logger, string channel, string holding, int failures);
}
