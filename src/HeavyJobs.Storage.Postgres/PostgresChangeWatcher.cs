using HeavyJobs.Storage.Changes;
using HeavyJobs.Storage.Relational;
using Npgsql;

namespace HeavyJobs.Storage.Postgres;

/// <summary>
/// One LISTEN connection that sleeps in the server until a work-making transaction commits a NOTIFY. A
/// background loop owns the connection and only ever waits without a timeout; callers wait on a signal with
/// theirs, so a caller's timeout never leaves the connection half-way through a read.
/// </summary>
internal sealed class PostgresChangeWatcher(NpgsqlDataSource dataSource, string channel, TimeProvider time) : IChangeWatcher
{
    private readonly SemaphoreSlim _changed = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;

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

    private async Task ListenAsync()
    {
        var failures = 0;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(_stop.Token);
                connection.Notification += (_, _) => _changed.Release();
                await connection.Command($"LISTEN {channel}").ExecAsync(_stop.Token);
                _listening.TrySetResult();
                if (failures > 0)
                {
                    // Changes may have been missed while the connection was down: let the waiters look.
                    _changed.Release();
                }

                failures = 0;
                while (true)
                {
                    await connection.WaitAsync(_stop.Token);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception) when (!_stop.IsCancellationRequested)
            {
                // The database went away (restarted, the backend terminated): whatever the error, a watcher that
                // stopped listening would leave idle workers asleep for good. Try again with a growing pause; the
                // caller's fallback poll covers the gap, and the first session after it counts as a change.
                failures++;
                _listening.TrySetResult();
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
}
