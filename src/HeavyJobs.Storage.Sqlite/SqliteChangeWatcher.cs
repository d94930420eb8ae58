using HeavyJobs.Storage.Changes;
using HeavyJobs.Storage.Relational;
using Microsoft.Data.Sqlite;

namespace HeavyJobs.Storage.Sqlite;

/// <summary>
/// Watches the database file's change counter (PRAGMA data_version), which SQLite keeps in shared memory: a
/// read of it does no disk I/O. While nothing is written the watcher sleeps on HeavyJobs writers' commit events
/// (<see cref="CommitEvents"/>) and reads the counter at each, and once every
/// <see cref="SqliteStoreOptions.IdleCheckInterval"/> without one: for commits nobody announces (a machine's
/// heartbeat, which wakes no one on PostgreSQL either; another program, or a writer of an older version during a
/// rolling deploy). Without file events the counter is read every <see cref="SqliteStoreOptions.ChangePollInterval"/>.
/// </summary>
internal sealed class SqliteChangeWatcher(string connectionString, string databasePath, SqliteStoreOptions options, TimeProvider time) : IChangeWatcher
{
    private SqliteConnection? _connection;
    private CommitEvents? _events;
    private long _lastVersion = -1;

    /// <summary>How many times the counter was read: what an idle watcher costs.</summary>
    internal long Reads { get; private set; }

    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_connection is null)
        {
            _connection = new SqliteConnection(connectionString);
            await _connection.OpenAsync(cancellationToken);
            // Watching starts before the first read, so that no write falls between the two.
            _events = options.UseFileEvents ? CommitEvents.TryStart(databasePath) : null;
            _lastVersion = await ReadVersionAsync(cancellationToken);
        }

        var deadline = time.GetTimestamp() + (long)(timeout.TotalSeconds * time.TimestampFrequency);
        while (true)
        {
            // Taken before the read: a commit announced after the read completes it.
            var nextCommit = _events is { Lost: false } events ? events.Next : null;
            var version = await ReadVersionAsync(cancellationToken);
            if (version != _lastVersion)
            {
                _lastVersion = version;
                return true;
            }

            var left = time.GetElapsedTime(time.GetTimestamp(), deadline);
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            if (nextCommit is null)
            {
                await Task.Delay(Shorter(left, options.ChangePollInterval), time, cancellationToken);
            }
            else
            {
                await WaitForCommitAsync(nextCommit, Shorter(left, options.IdleCheckInterval), cancellationToken);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _events?.Dispose();
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    private async Task WaitForCommitAsync(Task commit, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await commit.WaitAsync(timeout, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Time for the idle check.
        }
    }

    // Rounded up to whole milliseconds: timers count in them, and a wait shorter than one ends at once, so the
    // last fraction of a millisecond before the deadline would be spent reading the counter in a loop.
    private static TimeSpan Shorter(TimeSpan a, TimeSpan b) => TimeSpan.FromMilliseconds(Math.Ceiling((a < b ? a : b).TotalMilliseconds));

    private async Task<long> ReadVersionAsync(CancellationToken cancellationToken)
    {
        Reads++;
        return (long)(await _connection!.Command("PRAGMA data_version").ScalarAsync(cancellationToken))!;
    }
}
