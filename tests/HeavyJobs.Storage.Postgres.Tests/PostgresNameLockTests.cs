using HeavyJobs.Storage.Fleet;
using Npgsql;

namespace HeavyJobs.Storage.Postgres.Tests;

/// <summary>
/// A machine's name lives on its LISTEN session (one session for both). When that session is ended under it, the
/// watcher takes the name back on reconnect; if another process took the name meanwhile, it reports the name lost.
/// </summary>
public sealed class PostgresNameLockTests : IAsyncLifetime
{
    private readonly string _app = $"hjname_{Guid.NewGuid():N}"[..20];
    private string _connectionString = "";
    private string _schema = "";
    private PostgresStore _first = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var schemaConnection = PostgresStoreProvider.NewSchemaConnectionString(out _schema);
        _connectionString = new NpgsqlConnectionStringBuilder(schemaConnection) { ApplicationName = _app }.ToString();
        _first = new PostgresStore(_connectionString);
        await _first.MigrateAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _first.DisposeAsync();
        await using var dataSource = NpgsqlDataSource.Create(PostgresStoreProvider.ConnectionString);
        await using var command = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE");
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    [Fact]
    public async Task EndedSession_TakesTheNameBack_OnReconnect()
    {
        await using var watcher = await _first.TryLockWatchingAsync("node:m1", Ct);
        Assert.NotNull(watcher);
        var before = await HolderAsync();
        Assert.NotEqual(0, before);
        Assert.Equal(1, await TerminateAsync());
        // Back on a new session, the name is this watcher's again: another process is refused it.
        await WaitUntilAsync(async () => await HolderAsync() is var now && now != 0 && now != before);
        Assert.True(watcher.Held);
        await using var other = OpenOther();
        Assert.Null(await other.TryLockAsync("node:m1", new LockOptions(), Ct));
    }

    [Fact]
    public async Task EndedSession_WhoseNameAnotherTook_ReportsTheNameLost()
    {
        await using var watcher = await _first.TryLockWatchingAsync("node:m1", Ct);
        Assert.NotNull(watcher);
        await using var other = OpenOther();
        // Another process queues for the name; the server hands it over the moment the watcher's session ends,
        // well before the watcher's reconnect (its back-off is at least 200 ms).
        var waiting = other.LockAsync("node:m1", new LockOptions(), Ct);
        await WaitUntilAsync(async () => await WaitersAsync() == 1);
        Assert.Equal(1, await TerminateAsync());
        await using var taken = await waiting;
        await WaitUntilAsync(() => Task.FromResult(!watcher.Held));
        Assert.False(watcher.Held);
    }

    private PostgresStore OpenOther() =>
        new(new NpgsqlConnectionStringBuilder(_connectionString) { ApplicationName = "hjname_other" }.ToString());

    private async Task<long> WaitersAsync()
    {
        await using var admin = NpgsqlDataSource.Create(PostgresStoreProvider.ConnectionString);
        await using var command = admin.CreateCommand(
            "SELECT COUNT(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND NOT l.granted AND a.application_name = 'hjname_other' AND a.datname = current_database()");
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }

    /// <summary>Ends the session that holds the name (the watcher's), not the store's pooled ones.</summary>
    private async Task<int> TerminateAsync()
    {
        await using var admin = NpgsqlDataSource.Create(PostgresStoreProvider.ConnectionString);
        await using var command = admin.CreateCommand("""
            SELECT COUNT(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
            WHERE application_name = @app AND pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)
            """);
        command.Parameters.AddWithValue("app", _app);
        return (int)(long)(await command.ExecuteScalarAsync(Ct))!;
    }

    /// <summary>The backend of this test's application that holds an advisory lock; 0 for none.</summary>
    private async Task<int> HolderAsync()
    {
        await using var admin = NpgsqlDataSource.Create(PostgresStoreProvider.ConnectionString);
        await using var command = admin.CreateCommand(
            "SELECT COALESCE(MAX(l.pid), 0) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = @app");
        command.Parameters.AddWithValue("app", _app);
        return (int)(await command.ExecuteScalarAsync(Ct))!;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in 30 s");
            await Task.Delay(50, Ct);
        }
    }
}
