using HeavyJobs.Core.Definitions;
using HeavyJobs.Storage.Jobs;
using Microsoft.Data.Sqlite;

namespace HeavyJobs.Storage.Sqlite.Tests;

/// <summary>
/// The SQLite change watcher sleeps on HeavyJobs writers' commit events while nothing is written (the conformance
/// suite's change-watcher tests run it with its defaults). Here its polls and idle checks are set an hour apart,
/// so that only a commit's event can wake it within a test's time.
/// </summary>
public sealed class SqliteCommitEventsTests : IAsyncLifetime
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "heavyjobs-tests", Guid.NewGuid().ToString("N"));
    private SqliteStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string DatabasePath => Path.Combine(_dir, "store.db");

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _store = new SqliteStore(DatabasePath);
        await _store.MigrateAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task EachStoreCommit_WakesAnIdleWatcher_WithTheChangeAlreadyVisible()
    {
        await using var watcher = Watcher(new SqliteStoreOptions { ChangePollInterval = Hour, IdleCheckInterval = Hour });
        Assert.False(await watcher.WaitAsync(TimeSpan.FromMilliseconds(50), Ct));

        for (var i = 0; i < 20; i++)
        {
            var readsBefore = watcher.Reads;
            var waiting = watcher.WaitAsync(Hour, Ct);
            await InsertJobAsync();

            // Announced after its commit was published: a watcher that read the counter at the event and found
            // nothing new would sleep for the rest of the hour.
            Assert.True(await waiting.WaitAsync(TimeSpan.FromMinutes(1), Ct));
            Assert.InRange(watcher.Reads - readsBefore, 1, 4);
        }
    }

    [Fact]
    public async Task AnIdleWatcher_ReadsTheCounterOnlyAtItsIdleChecks()
    {
        await using var watcher = Watcher(new SqliteStoreOptions { IdleCheckInterval = TimeSpan.FromMilliseconds(250) });
        Assert.False(await watcher.WaitAsync(TimeSpan.FromMilliseconds(50), Ct));
        var readsWhenIdle = watcher.Reads;

        // With the 20 ms poll and no events, this wait would read the counter about 50 times.
        Assert.False(await watcher.WaitAsync(TimeSpan.FromSeconds(1), Ct));

        Assert.InRange(watcher.Reads - readsWhenIdle, 2, 7);
    }

    [Fact]
    public async Task ACommitNobodyAnnounces_IsSeenAtTheNextIdleCheck()
    {
        await using var watcher = Watcher(new SqliteStoreOptions { ChangePollInterval = Hour, IdleCheckInterval = TimeSpan.FromMilliseconds(200) });
        Assert.False(await watcher.WaitAsync(TimeSpan.FromMilliseconds(50), Ct));

        var waiting = watcher.WaitAsync(Hour, Ct);
        await CommitFromAnotherProgramAsync();

        Assert.True(await waiting.WaitAsync(TimeSpan.FromMinutes(1), Ct));
    }

    [Fact]
    public async Task TwoHundredWatchersInOneProcess_AllWakeAtACommit()
    {
        // More than the 128 inotify instances a user may have: the process shares one.
        var watchers = Enumerable.Range(0, 200).Select(_ => Watcher(new SqliteStoreOptions { ChangePollInterval = Hour, IdleCheckInterval = Hour })).ToList();
        try
        {
            foreach (var watcher in watchers)
            {
                Assert.False(await watcher.WaitAsync(TimeSpan.FromMilliseconds(1), Ct));
            }

            var waiting = watchers.Select(w => w.WaitAsync(Hour, Ct)).ToList();
            await InsertJobAsync();

            Assert.All(await Task.WhenAll(waiting).WaitAsync(TimeSpan.FromMinutes(1), Ct), Assert.True);
        }
        finally
        {
            foreach (var watcher in watchers)
            {
                await watcher.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task TheTurnFileMovedAway_TheWatcherPolls()
    {
        await using var watcher = Watcher(new SqliteStoreOptions { ChangePollInterval = TimeSpan.FromMilliseconds(20), IdleCheckInterval = Hour });
        Assert.False(await watcher.WaitAsync(TimeSpan.FromMilliseconds(50), Ct));

        // No event can come from a file that went away; a commit nobody announces shows the watcher polling.
        File.Move(DatabasePath + "-turn", DatabasePath + "-moved");
        var waiting = watcher.WaitAsync(Hour, Ct);
        await CommitFromAnotherProgramAsync();

        Assert.True(await waiting.WaitAsync(TimeSpan.FromMinutes(1), Ct));
    }

    [Fact]
    public async Task WithoutFileEvents_TheWatcherPolls_AndStillWakes()
    {
        await using var watcher = Watcher(new SqliteStoreOptions { UseFileEvents = false, IdleCheckInterval = Hour });
        Assert.False(await watcher.WaitAsync(TimeSpan.FromMilliseconds(50), Ct));

        var waiting = watcher.WaitAsync(Hour, Ct);
        await CommitFromAnotherProgramAsync();

        Assert.True(await waiting.WaitAsync(TimeSpan.FromMinutes(1), Ct));
    }

    private Task<JobInserted> InsertJobAsync() => _store.JobInsertAsync(
        new JobInsertParams($"job-{Guid.NewGuid():N}", [new StageDefinition("main", "t", StageMode.Streaming)], "{}", ["{}"], 0, 3, DateTimeOffset.UtcNow),
        Ct);

    private SqliteChangeWatcher Watcher(SqliteStoreOptions options) => new(
        new SqliteConnectionStringBuilder { DataSource = DatabasePath }.ToString(), DatabasePath, options, TimeProvider.System);

    // A write that takes no turn, as the sqlite3 shell's would.
    private async Task CommitFromAnotherProgramAsync()
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE IF NOT EXISTS test_writes (n INTEGER); INSERT INTO test_writes VALUES (1)";
        await command.ExecuteNonQueryAsync(Ct);
    }
}
