using System.Diagnostics;
using System.Text.Json;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Postgres;
using HeavyJobs.Storage.Workers;
using Npgsql;

namespace HeavyJobs.Runtime.Tests.Monitor;

/// <summary>
/// The database goes away under a running fleet (a monitor, its worker processes and the manager, all real
/// processes): restarted, or every HeavyJobs session terminated, the LISTEN ones included. Every process stays
/// up, work resumes within seconds of the database coming back, idle workers are woken for work made while they
/// could not hear, and every item of the job is written exactly once (its expected keys are computed here).
/// </summary>
public sealed class DatabaseOutageScenarios : IAsyncLifetime
{
    private static readonly TimeSpan Within = MonitorRun.Within;

    // Every session of this test's processes carries this name, so the test ends its own sessions and no one else's.
    private readonly string _app = $"hj-outage-{Guid.NewGuid():N}"[..20];
    private IDisposable? _cluster;
    private MonitorRun? _run;
    private string _connectionString = "";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private MonitorRun Run => _run ?? throw new InvalidOperationException("Not initialised.");

    private IHeavyStore Store => Run.Store;

    public async ValueTask InitializeAsync()
    {
        _cluster = await PrivateCluster.Outage.TakeAsync(Ct);
        _connectionString = new NpgsqlConnectionStringBuilder(await PrivateCluster.Outage.EnsureAsync(Ct)) { ApplicationName = _app }.ToString();
        _run = await MonitorRun.CreateAsync("postgres", Ct, _connectionString);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_run is not null)
            {
                await _run.DisposeAsync();
            }
        }
        finally
        {
            // Whatever happened, the cluster is left running and open.
            await PrivateCluster.Outage.EnsureAsync(CancellationToken.None);
            if (_connectionString.Length > 0)
            {
                await SetConnectionsAllowedAsync(true);
            }

            _cluster?.Dispose();
        }
    }

    [Fact]
    public async Task ARestartOfTheDatabaseMidRun_LeavesEveryProcessUp_WorkResumesWithinSeconds_AndEveryItemIsWrittenOnce()
    {
        const int Items = 4000;
        Run.Start();
        Run.StartManager();
        Assert.True(await Run.ScaleUpIdleAsync("test.count", 2, Ct), Run.Log);
        var job = await SubmitAsync(Store, Items, perChunk: 200, sleepMs: 5, every: 20);
        Assert.True(await MonitorRun.UntilAsync(async () => await DoneAsync(job) >= 400 && (await LiveAsync()).Count(w => w.State == WorkerState.Busy) == 2, Within, Ct), Run.Log);
        var workers = await LiveAsync();

        await PrivateCluster.Outage.RestartAsync(Ct);
        var back = Stopwatch.StartNew();
        var doneWhenBack = await DoneAsync(job);
        Assert.True(await MonitorRun.UntilAsync(async () => await DoneAsync(job) > doneWhenBack, Within, Ct), Run.Log);
        var resumedAfter = back.Elapsed;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"postgres restarted at {doneWhenBack}/{Items} items; work resumed {resumedAfter.TotalMilliseconds:0} ms after the server accepted connections again");

        Assert.True(await MonitorRun.UntilAsync(async () => (await Store.ChunkListAsync(new ChunkListParams(job), Ct)).All(c => c.State == ChunkState.Done), Within, Ct), Run.Log);
        await AssertEveryItemOnceAsync(job, Items);
        await AssertUpAsync(workers);
    }

    [Fact]
    public async Task TerminatingEverySession_TheListeningOnesToo_LeavesEveryProcessUp_AndAnIdleWorkerIsWokenForWorkMadeMeanwhile()
    {
        // The monitor's probe is far off: only a change seen (or owed after a lost session) can wake the worker in time.
        Run.Start("--idle-probe", "600");
        Run.StartManager();
        await Run.CliAsync(Ct, "workers", "scale", "test.count=1", "--node", Run.Node);
        Assert.True(await MonitorRun.UntilAsync(async () => (await LiveAsync()).Any(w => w.State == WorkerState.Idle), Within, Ct), Run.Log);
        // The monitor and the manager each listen on a session of their own.
        Assert.True(await MonitorRun.UntilAsync(async () => (await SessionsAsync()).Listening >= 2, Within, Ct), Run.Log);
        var workers = await LiveAsync();

        // Another application's session, opened before the outage, makes work while the database takes no new
        // sessions: its NOTIFY reaches nobody, and only a watcher that counts its new session as a change wakes anyone.
        var other = new PostgresStore(new NpgsqlConnectionStringBuilder(Run.Db) { ApplicationName = "hj-outage-submitter" }.ToString());
        await using (other)
        {
            await other.JobListAsync(new JobListParams(), Ct);
            int terminated, listening;
            long job;
            await SetConnectionsAllowedAsync(false);
            try
            {
                (terminated, listening) = await TerminateSessionsAsync();
                job = await SubmitAsync(other, 200, perChunk: 100, sleepMs: 0, every: 10);
            }
            finally
            {
                await SetConnectionsAllowedAsync(true);
            }

            // Any wait well short of the probe tells a woken worker from one left asleep; 90 s ran out under CI's
            // load with no word from the monitor, so the failure lists every chunk's and worker's state.
            var back = Stopwatch.StartNew();
            Assert.True(await Run.UntilDoneAsync(job, TimeSpan.FromMinutes(4), Ct), await Run.DescribeAsync(job, Ct));
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"terminated {terminated} sessions ({listening} listening); the job made during the outage was done {back.ElapsedMilliseconds} ms after the database took sessions again");
            await AssertEveryItemOnceAsync(job, 200);
            Assert.True(listening >= 2, $"only {listening} listening sessions were terminated");
        }

        await AssertUpAsync(workers);
    }

    private async Task AssertUpAsync(IReadOnlyList<WorkerRow> workers)
    {
        Assert.False(Run.Monitor.HasExited, "the monitor exited\n" + Run.Log);
        Assert.False(Run.Manager!.HasExited, "the manager exited\n" + Run.Log);
        Assert.All(workers, w => Assert.True(MonitorRun.Alive(w.Pid), $"worker {w.Id} (pid {w.Pid}) did not survive the outage\n{Run.Log}"));
        var actions = await Store.ActionListAsync(new ActionListParams(1000), Ct);
        Assert.DoesNotContain(actions, a => a.Kind is ActionKinds.Died or ActionKinds.Hung);
    }

    private async Task<(int All, int Listening)> SessionsAsync()
    {
        await using var admin = await AdminAsync();
        await using var command = new NpgsqlCommand(
            "SELECT COUNT(*), COUNT(*) FILTER (WHERE query LIKE 'LISTEN%') FROM pg_stat_activity WHERE application_name = @app", admin);
        command.Parameters.AddWithValue("app", _app);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        await reader.ReadAsync(Ct);
        return ((int)reader.GetInt64(0), (int)reader.GetInt64(1));
    }

    private async Task<(int All, int Listening)> TerminateSessionsAsync()
    {
        await using var admin = await AdminAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT COUNT(*) FILTER (WHERE pg_terminate_backend(pid)), COUNT(*) FILTER (WHERE query LIKE 'LISTEN%')
            FROM pg_stat_activity WHERE application_name = @app
            """,
            admin);
        command.Parameters.AddWithValue("app", _app);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        await reader.ReadAsync(Ct);
        return ((int)reader.GetInt64(0), (int)reader.GetInt64(1));
    }

    private async Task SetConnectionsAllowedAsync(bool allowed)
    {
        await using var admin = await AdminAsync();
        var database = new NpgsqlConnectionStringBuilder(_connectionString).Database;
        await using var command = new NpgsqlCommand($"ALTER DATABASE \"{database}\" WITH ALLOW_CONNECTIONS {(allowed ? "true" : "false")}", admin);
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    private async Task<NpgsqlConnection> AdminAsync()
    {
        // On the "postgres" database, which stays open while the test database refuses sessions.
        var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_connectionString) { ApplicationName = "hj-outage-admin", Pooling = false, Database = "postgres", SearchPath = null }.ToString());
        await admin.OpenAsync(Ct);
        return admin;
    }

    private async Task<List<WorkerRow>> LiveAsync() => [.. await Store.WorkerListAsync(new WorkerListParams(Run.Node), Ct)];

    private async Task<long> DoneAsync(long job) => (await Store.ChunkListAsync(new ChunkListParams(job), Ct)).Sum(c => c.Counters.Done);

    private async Task AssertEveryItemOnceAsync(long job, int items)
    {
        var keys = (await Store.OutputListAsync(new OutputListParams(job), Ct)).Select(o => o.Key).ToList();
        Assert.Equal(Enumerable.Range(0, items).Select(i => $"item-{i}").Order(StringComparer.Ordinal), keys.Order(StringComparer.Ordinal));
        Assert.Equal(items, (await Store.ChunkListAsync(new ChunkListParams(job), Ct)).Sum(c => c.Counters.Done));
    }

    private static async Task<long> SubmitAsync(IHeavyStore store, int items, int perChunk, int sleepMs, int every) =>
        (await store.JobInsertAsync(
            new JobInsertParams(
                "test.count",
                [new StageDefinition("main", "test.count", StageMode.Streaming)],
                JsonSerializer.Serialize(new { sleepMs, every }),
                Enumerable.Range(0, (items + perChunk - 1) / perChunk).Select(i => $$"""{"start":{{i * perChunk}},"end":{{Math.Min(items, (i + 1) * perChunk)}}}"""),
                0,
                5,
                TimeProvider.System.GetUtcNow()),
            Ct)).JobId;
}
