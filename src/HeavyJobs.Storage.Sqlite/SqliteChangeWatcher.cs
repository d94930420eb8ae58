using HeavyJobs.Storage.Changes;
using HeavyJobs.Storage.Relational;
using Microsoft.Data.Sqlite;

namespace HeavyJobs.Storage.Sqlite;

/// <summary>
/// Watches the database file's change counter (PRAGMA data_version), which SQLite keeps in shared memory:
/// a read of it does no disk I/O, so one watcher per machine can look often at almost no cost.
/// </summary>
internal sealed class SqliteChangeWatcher(string connectionString, TimeSpan interval, TimeProvider time) : IChangeWatcher
{
    private SqliteConnection? _connection;
    private long _lastVersion = -1;

    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_connection is null)
        {
            _connection = new SqliteConnection(connectionString);
            await _connection.OpenAsync(cancellationToken);
            _lastVersion = await ReadVersionAsync(cancellationToken);
        }

        var deadline = time.GetTimestamp() + (long)(timeout.TotalSeconds * time.TimestampFrequency);
        while (true)
        {
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

            await Task.Delay(left < interval ? left : interval, time, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    private async Task<long> ReadVersionAsync(CancellationToken cancellationToken) =>
        (long)(await _connection!.Command("PRAGMA data_version").ScalarAsync(cancellationToken))!;
}
