using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Faults;
using HeavyJobs.Storage.Jobs;
using Npgsql;

namespace HeavyJobs.Storage.Postgres.Tests;

/// <summary>
/// A worker frozen inside its checkpoint (between its statements and its commit) holds the chunk's row. The server
/// ends such a transaction after the idle limit every HeavyJobs session carries, so an operator's cancel (or the
/// manager's reclaim) goes through, and the thawed checkpoint lands nothing.
/// </summary>
public sealed class PostgresFrozenWriteTests : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private string _schema = "";
    private string _connectionString = "";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _connectionString = PostgresStoreProvider.NewSchemaConnectionString(out _schema);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(PostgresStoreProvider.ConnectionString);
        await using var command = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE");
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    [Fact]
    public async Task EverySession_CarriesTheIdleTransactionLimit_UnlessTheConnectionStringSetsItsOwn()
    {
        await using var plain = new PostgresStore(_connectionString);
        Assert.Equal("30s", await ShowAsync(plain));
        await using var shorter = new PostgresStore(_connectionString, idleTransactionLimit: TimeSpan.FromSeconds(2));
        Assert.Equal("2s", await ShowAsync(shorter));

        var own = new NpgsqlConnectionStringBuilder(_connectionString) { Options = "-c idle_in_transaction_session_timeout=4500 -c statement_timeout=600000" };
        await using var custom = new PostgresStore(own.ConnectionString, idleTransactionLimit: TimeSpan.FromSeconds(2));
        Assert.Equal("4500ms", await ShowAsync(custom));
        await using var command = custom.DataSource.CreateCommand("SHOW statement_timeout");
        Assert.Equal("10min", (string?)await command.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task AWorkerFrozenBeforeItsCheckpointCommits_DoesNotHoldTheChunkPastTheLimit_AndLandsNothing()
    {
        // A limit of a second (instead of the default's 30) keeps the test short.
        var freeze = new FreezeBeforeCommit();
        await using var worker = new PostgresStore(_connectionString, idleTransactionLimit: TimeSpan.FromSeconds(1)) { Faults = freeze };
        await using var operatorStore = new PostgresStore(_connectionString);
        await operatorStore.MigrateAsync(Ct);
        var now = DateTimeOffset.UtcNow;
        var job = await operatorStore.JobInsertAsync(
            new JobInsertParams("frozen", [new StageDefinition("main", "t", StageMode.Streaming)], "{}", ["{}"], 0, 3, now), Ct);
        var chunk = Assert.Single(await worker.ChunkClaimAsync(new ChunkClaimParams(1, ["t"], 1, now, Lease), Ct));

        freeze.Arm();
        var checkpoint = Task.Run(
            () => worker.ChunkCheckpointAsync(
                new ChunkCheckpointParams(chunk.Id, chunk.JobId, chunk.Stage, chunk.Epoch, "7", new ChunkCounters(7, 7, 0), [new ChunkOutput("k", "{}")], [], false, now, Lease),
                Ct),
            Ct);
        await freeze.Frozen.WaitAsync(Ct);

        // Without the limit the cancel waits on the frozen row for as long as the freeze lasts.
        Assert.True(await operatorStore.JobCancelAsync(new JobChangeParams(job.JobId, DateTimeOffset.UtcNow), Ct).WaitAsync(TimeSpan.FromMinutes(1), Ct));

        freeze.Thaw();
        await Assert.ThrowsAnyAsync<Exception>(() => checkpoint);
        var after = (await operatorStore.ChunkGetAsync(chunk.Id, Ct))!;
        Assert.Equal((ChunkState.Cancelled, null, 0L), (after.State, after.Cursor, after.Counters.Done));
        Assert.Empty(await operatorStore.OutputListAsync(new OutputListParams(job.JobId), Ct));
    }

    private static async Task<string?> ShowAsync(PostgresStore store)
    {
        await using var command = store.DataSource.CreateCommand("SHOW idle_in_transaction_session_timeout");
        return (string?)await command.ExecuteScalarAsync(Ct);
    }
}
