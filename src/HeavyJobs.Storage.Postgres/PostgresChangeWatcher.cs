using HeavyJobs.Storage.Changes;
using HeavyJobs.Storage.Relational;
using Npgsql;

namespace HeavyJobs.Storage.Postgres;

/// <summary>One LISTEN connection: it sleeps in the server until a work-making transaction commits a NOTIFY.</summary>
internal sealed class PostgresChangeWatcher(NpgsqlDataSource dataSource, string channel, TimeProvider time) : IChangeWatcher
{
    private NpgsqlConnection? _connection;
    private volatile bool _notified;

    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_connection is null)
        {
            var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            connection.Notification += (_, _) => _notified = true;
            await connection.Command($"LISTEN {channel}").ExecAsync(cancellationToken);
            _connection = connection;
        }

        if (_notified)
        {
            _notified = false;
            return true;
        }

        var started = time.GetTimestamp();
        while (true)
        {
            var left = timeout - time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            if (await _connection.WaitAsync(left, cancellationToken) && _notified)
            {
                _notified = false;
                return true;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }
}
