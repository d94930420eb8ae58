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
