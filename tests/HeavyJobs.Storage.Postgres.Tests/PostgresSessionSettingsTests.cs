using Npgsql;

namespace HeavyJobs.Storage.Postgres.Tests;

/// <summary>
/// Every session a store opens tells the server to end it within seconds once its client is cut off by the
/// network (PartitionScenarios in the fleet tests shows the whole machine; this, the settings each session starts
/// with), unless the connection string says otherwise.
/// </summary>
public sealed class PostgresSessionSettingsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EverySession_IsEndedBySecondsOfSilenceOrOfUnacknowledgedData_UnlessTheConnectionStringSetsItsOwn()
    {
        await using var plain = new PostgresStore(PostgresStoreProvider.ConnectionString);
        Assert.Equal(["5", "2", "3", "10000"], await ShowAsync(plain));

        var own = new NpgsqlConnectionStringBuilder(PostgresStoreProvider.ConnectionString) { Options = "-c tcp_user_timeout=2500 -c tcp_keepalives_idle=60" };
        await using var custom = new PostgresStore(own.ConnectionString);
        Assert.Equal(["60", "2", "3", "2500"], await ShowAsync(custom));
    }

    [Fact]
    public void TheListeningAndLockSessions_KeepTheirOwnKeepalives_OverTcp_NotOnAUnixSocket_AndTheConnectionStringWins()
    {
        static int KeepAlive(string connectionString) => new NpgsqlConnectionStringBuilder(PostgresStore.SessionConnectionString(connectionString)).TcpKeepAliveTime;

        Assert.Equal(10, KeepAlive("Host=127.0.0.1;Username=u;Database=d"));
        Assert.Equal(10, KeepAlive("Host=db1.example,db2.example;Username=u;Database=d"));
        // Npgsql's attempt to set TCP options on a Unix-domain socket fails every connection: a monitor so
        // configured never took its name (seen: EOPNOTSUPP on TCP_KEEPIDLE, retried without end).
        Assert.Equal(0, KeepAlive("Host=/var/run/postgresql;Username=u;Database=d"));
        Assert.Equal(30, KeepAlive("Host=127.0.0.1;Username=u;Database=d;Tcp Keepalive Time=30"));
        Assert.False(new NpgsqlConnectionStringBuilder(PostgresStore.SessionConnectionString("Host=127.0.0.1;Username=u;Database=d")).Pooling);
    }

    private static async Task<string[]> ShowAsync(PostgresStore store)
    {
        var values = new List<string>();
        foreach (var setting in (string[])["tcp_keepalives_idle", "tcp_keepalives_interval", "tcp_keepalives_count", "tcp_user_timeout"])
        {
            await using var command = store.DataSource.CreateCommand($"SHOW {setting}");
            values.Add((string)(await command.ExecuteScalarAsync(Ct))!);
        }

        return [.. values];
    }
}
