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
        var failed = await LoggedAsync(LogLevel.Warning);
        Assert.Contains($"hj_wake_{_schema}", failed.Message, StringComparison.Ordinal);
        Assert.Contains("terminat", failed.Message, StringComparison.OrdinalIgnoreCase);
        Assert.NotNull(failed.Exception);
        var back = await LoggedAsync(LogLevel.Information);
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
        var failing = await LoggedAsync(LogLevel.Warning);
        Assert.False(taking.IsCompleted);
        Assert.Contains("lock 'node:alpha'", failing.Message, StringComparison.Ordinal);
        Assert.Contains("refused", failing.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("failed 1 time(s) in a row", failing.Message, StringComparison.Ordinal);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => taking);
    }

    /// <summary>The first record at <paramref name="level"/>, waiting for it to be logged (a deadline for a failure, far past a retry's 2 s).</summary>
    private async Task<FakeLogRecord> LoggedAsync(LogLevel level)
    {
        while (true)
        {
            if (_log.GetSnapshot().FirstOrDefault(r => r.Level == level) is { } record)
            {
                return record;
            }

            Assert.True(await _logged.WaitAsync(TimeSpan.FromMinutes(1), Ct), $"nothing was logged at {level} in a minute; logged: {string.Join(" | ", _log.GetSnapshot().Select(r => r.Message))}");
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
