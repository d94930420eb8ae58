using System.Net;
using System.Net.Sockets;
using HeavyJobs.Storage.Postgres;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Npgsql;

namespace HeavyJobs.Storage.Postgres.Tests;

/// <summary>
/// A NOTIFY sent while a watcher's session is gone reaches no one, so the watcher counts its next session as a
/// change: the idle workers it wakes then look for what was made meanwhile. No caller sees the errors the watcher
/// retries on, so it says them in the store's log, and says when it listens again.
/// </summary>
public sealed class PostgresChangeWatcherSessionTests : IAsyncLifetime
{
    private readonly SemaphoreSlim _logged = new(0);
    private FakeLogCollector _log = null!;
    private PostgresStore _store = null!;
    private string _schema = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _log = FakeLogCollector.Create(new FakeLogCollectorOptions { OutputSink = _ => _logged.Release() });
        _store = new PostgresStore(PostgresStoreProvider.NewSchemaConnectionString(out _schema)) { Logger = new FakeLogger(_log) };
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

        // Its log tells the failure (the server's own words) and the return, in that order.
        var failed = await LoggedAsync(4001);
        Assert.Contains($"hj_wake_{_schema}", failed.Message, StringComparison.Ordinal);
        Assert.Contains("terminat", failed.Message, StringComparison.OrdinalIgnoreCase);
        var back = await LoggedAsync(4002);
        Assert.Contains("is back after 1 failure", back.Message, StringComparison.Ordinal);
        Assert.True(back.Timestamp >= failed.Timestamp);
    }

    [Fact]
    public async Task AMachineNameWhoseSessionCannotOpen_WaitsForIt_SayingWhyInTheLog_UntilCancelled()
    {
        // A port nothing listens on: every attempt is refused, as when a monitor starts before its database.
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        await using var unreachable = new PostgresStore(new NpgsqlConnectionStringBuilder(PostgresStoreProvider.ConnectionString) { Host = "127.0.0.1", Port = port }.ConnectionString)
        {
            Logger = new FakeLogger(_log),
        };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var taking = unreachable.TryLockWatchingAsync("node:alpha", stop.Token);

        // It neither fails nor returns: a monitor that starts while the database is down waits for it. But the
        // reason is in the log, with the lock it waits to take.
        var failing = await LoggedAsync(4001);
        Assert.False(taking.IsCompleted);
        Assert.Contains("lock 'node:alpha'", failing.Message, StringComparison.Ordinal);
        Assert.Contains("refused", failing.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("failed 1 time(s) in a row", failing.Message, StringComparison.Ordinal);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => taking);
    }

    [Fact]
    public async Task AMachineNameWhoseOldSessionTheServerStillKeeps_IsTakenAgain_ByEndingThatSession()
    {
        // Between the store and the server, a relay that can drop the client's side alone: the watcher sees its
        // session fail at once, while the server keeps it (and the name's lock), as when a client gives up on a
        // network before the server does.
        var direct = new NpgsqlConnectionStringBuilder(_store.ConnectionString);
        await using var relay = new HalfCutProxy(direct.Host!, direct.Port);
        await using var store = new PostgresStore(new NpgsqlConnectionStringBuilder(_store.ConnectionString) { Host = "127.0.0.1", Port = relay.Port }.ConnectionString)
        {
            Logger = new FakeLogger(_log),
        };
        await using var name = await store.TryLockWatchingAsync("node:alpha", Ct);
        Assert.NotNull(name);
        var first = await HolderOfAsync("node:alpha");
        Assert.NotNull(first);

        await relay.CutClientsAsync();

        // The watcher listens again on a new session and still holds its name: it ended its old session, which the
        // server would otherwise have kept holding the name (for as long as its keepalives were answered: here,
        // for good), and the monitor would have stopped as if another had taken it.
        await LoggedAsync(4002);
        Assert.True(name.Held, "the watcher found its own old session holding its name");
        Assert.Contains($"pid {first}", (await LoggedAsync(4003)).Message, StringComparison.Ordinal);
        var now = await HolderOfAsync("node:alpha");
        Assert.NotNull(now);
        Assert.NotEqual(first, now);
        Assert.False(await SessionExistsAsync(first.Value));
        await using (var second = await _store.TryLockWatchingAsync("node:alpha", Ct))
        {
            Assert.Null(second);
        }
    }

    /// <summary>The pid of the session that holds the store lock <paramref name="name"/>, or null.</summary>
    private async Task<int?> HolderOfAsync(string name)
    {
        await using var admin = NpgsqlDataSource.Create(_store.ConnectionString);
        // A 64-bit advisory key shows in pg_locks as two 32-bit halves.
        await using var command = admin.CreateCommand(
            "SELECT pid FROM pg_locks, (SELECT hashtextextended(current_schema() || '/heavyjobs-lock/' || @name, 0) AS k) key " +
            "WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND classid::bigint = (k >> 32) & 4294967295 AND objid::bigint = k & 4294967295");
        command.Parameters.AddWithValue("name", name);
        return await command.ExecuteScalarAsync(Ct) is int pid ? pid : null;
    }

    private async Task<bool> SessionExistsAsync(int pid)
    {
        await using var admin = NpgsqlDataSource.Create(PostgresStoreProvider.ConnectionString);
        await using var command = admin.CreateCommand("SELECT count(*) FROM pg_stat_activity WHERE pid = @pid");
        command.Parameters.AddWithValue("pid", pid);
        return (long)(await command.ExecuteScalarAsync(Ct))! > 0;
    }

    /// <summary>The first record with <paramref name="eventId"/>, waiting for it to be logged (a deadline for a failure, far past a retry's 2 s).</summary>
    private async Task<FakeLogRecord> LoggedAsync(int eventId)
    {
        while (true)
        {
            if (_log.GetSnapshot().FirstOrDefault(r => r.Id.Id == eventId) is { } record)
            {
                return record;
            }

            Assert.True(await _logged.WaitAsync(TimeSpan.FromMinutes(1), Ct), $"nothing was logged with event {eventId} in a minute; logged: {string.Join(" | ", _log.GetSnapshot().Select(r => r.Message))}");
        }
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
