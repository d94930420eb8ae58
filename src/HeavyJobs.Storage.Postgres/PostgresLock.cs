using HeavyJobs.Storage.Fleet;
using HeavyJobs.Storage.Relational;
using Npgsql;

namespace HeavyJobs.Storage.Postgres;

/// <summary>
/// A session advisory lock on a connection of its own (never pooled), keyed by a 64-bit hash of the schema and
/// the lock's name. The session ends when the process dies, and with it the lock. With an idle limit the server
/// ends the session itself when it sits idle that long, so a frozen holder loses the lock too; the session's
/// TCP settings (<see cref="PostgresStore.NetworkSettings"/>) drop the session of a machine that vanished without
/// closing its socket.
/// </summary>
internal sealed class PostgresLock : IStoreLock
{
    internal const string KeySql = "hashtextextended(current_schema() || '/heavyjobs-lock/' || @name, 0)";

    private readonly NpgsqlConnection _connection;
    private readonly SemaphoreSlim _use = new(1, 1);

    private PostgresLock(string name, NpgsqlConnection connection)
    {
        Name = name;
        _connection = connection;
    }

    public string Name { get; }

    public static async Task<IStoreLock?> TakeAsync(NpgsqlDataSource sessions, string name, LockOptions options, bool wait, CancellationToken cancellationToken)
    {
        var connection = await sessions.OpenConnectionAsync(cancellationToken);
        try
        {
            if (wait)
            {
                await connection.Command($"SELECT pg_advisory_lock({KeySql})").With("name", name).ExecAsync(cancellationToken);
            }
            else if (!(bool)(await connection.Command($"SELECT pg_try_advisory_lock({KeySql})").With("name", name).ScalarAsync(cancellationToken))!)
            {
                await connection.DisposeAsync();
                return null;
            }

            if (options.IdleLimit is { } limit)
            {
                await connection.Command($"SET idle_session_timeout = {(long)limit.TotalMilliseconds}").ExecAsync(cancellationToken);
            }

            return new PostgresLock(name, connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async Task<bool> RenewAsync(CancellationToken cancellationToken)
    {
        await _use.WaitAsync(cancellationToken);
        try
        {
            await _connection.Command("SELECT 1").ExecAsync(cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // The session is gone (the server ended it, or the network did): so is the lock.
            return false;
        }
        finally
        {
            _use.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Closing the session releases the lock; an explicit unlock would only cost a statement.
        await _connection.DisposeAsync();
        _use.Dispose();
    }
}
