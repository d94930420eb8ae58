using HeavyJobs.Storage.Postgres;
using Npgsql;

namespace HeavyJobs.Storage.Postgres.Tests;

/// <summary>
/// A NOTIFY sent while a watcher's session is gone reaches no one, so the watcher counts its next session as a
/// change: the idle workers it wakes then look for what was made meanwhile.
/// </summary>
public sealed class PostgresChangeWatcherSessionTests : IAsyncLifetime
{
    private PostgresStore _store = null!;
    private string _schema = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = new PostgresStore(PostgresStoreProvider.NewSchemaConnectionString(out _schema));
        await _store.MigrateAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await new PostgresStoreProvider().DropAsync(_store, CancellationToken.None);
        await _store.DisposeAsync();
    }

    [Fact]
    public async Task AWatcherWhoseListeningSessionIsTerminated_WakesOnceItListensAgain_WithNoNotificationAtAll()
    {
        await using var watcher = _store.CreateChangeWatcher();
        // The first wait arms the watcher and finds nothing.
        Assert.False(await watcher.WaitAsync(TimeSpan.FromMilliseconds(50), Ct));
        Assert.Equal(1, await TerminateListenersAsync());

        // No one writes anything: only the new session itself can wake it (a lost NOTIFY is never seen).
        Assert.True(await watcher.WaitAsync(TimeSpan.FromSeconds(60), Ct));
        Assert.False(await watcher.WaitAsync(TimeSpan.FromMilliseconds(50), Ct));
    }

    private async Task<int> TerminateListenersAsync()
    {
        await using var admin = NpgsqlDataSource.Create(PostgresStoreProvider.ConnectionString);
        var listen = $"LISTEN {PostgresStore.WakeChannelPrefix}_{_schema}";
        // The watcher starts listening in the background: wait for its session to say so.
        for (var tries = 0; ; tries++)
        {
            await using var command = admin.CreateCommand(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query = @listen AND pid <> pg_backend_pid()");
            command.Parameters.AddWithValue("listen", listen);
            var terminated = (int)(long)(await command.ExecuteScalarAsync(Ct))!;
            if (terminated > 0 || tries == 600)
            {
                return terminated;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), Ct);
        }
    }
}
