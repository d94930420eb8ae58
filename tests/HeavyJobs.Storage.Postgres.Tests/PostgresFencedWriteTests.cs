using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Faults;
using HeavyJobs.Storage.Fleet;
using Npgsql;

namespace HeavyJobs.Storage.Postgres.Tests;

/// <summary>
/// A leader's write holds the leader row from its fence check to its commit. A leader frozen in between (SIGSTOP, a
/// long pause) must not keep the next leader from taking over: the database ends the idle transaction after the
/// fence's idle limit, the new leader's epoch bump goes through, and the frozen write, thawed, lands nothing.
/// </summary>
public sealed class PostgresFencedWriteTests : IAsyncLifetime
{
    private string _schema = "";
    private PostgresStore _frozen = null!;
    private PostgresStore _next = null!;
    private readonly FreezeBeforeCommit _freeze = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var connectionString = PostgresStoreProvider.NewSchemaConnectionString(out _schema);
        // The session's own idle limit is set far beyond the minute below: only the fence's limit can end the
        // frozen write in time.
        _frozen = new PostgresStore(connectionString, idleTransactionLimit: TimeSpan.FromMinutes(10)) { Faults = _freeze };
        _next = new PostgresStore(connectionString);
        await _next.MigrateAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        _freeze.Thaw();
        await _frozen.DisposeAsync();
        await _next.DisposeAsync();
        await using var dataSource = NpgsqlDataSource.Create(PostgresStoreProvider.ConnectionString);
        await using var command = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE");
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    [Fact]
    public async Task ALeaderFrozenMidWrite_DoesNotHoldUpTheNextLeader_AndItsWriteLandsNothing()
    {
        var epoch = await _frozen.LeaderTakeAsync(new LeaderTakeParams("frozen", DateTimeOffset.UtcNow), Ct);
        Task write;
        using (StoreFence.Enter(epoch, TimeSpan.FromSeconds(1)))
        {
            _freeze.Arm();
            write = Task.Run(() => _frozen.ActionInsertAsync(new ActionInsertParams("manager", "test", "a late write", DateTimeOffset.UtcNow), Ct), Ct);
        }

        // The write passed its fence check (the leader row is locked) and stands still before its commit.
        await _freeze.Frozen.WaitAsync(Ct);

        // Without a limit this waits for as long as the freeze lasts; a minute is many times the second given.
        var next = await _next.LeaderTakeAsync(new LeaderTakeParams("next", DateTimeOffset.UtcNow), Ct).WaitAsync(TimeSpan.FromMinutes(1), Ct);
        Assert.Equal(epoch + 1, next);

        _freeze.Thaw();
        await Assert.ThrowsAnyAsync<Exception>(() => write);
        Assert.DoesNotContain(await _next.ActionListAsync(new ActionListParams(100), Ct), a => a.Reason == "a late write");
    }
}
