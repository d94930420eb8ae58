using System.Diagnostics;
using System.Text.Json;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Postgres;
using HeavyJobs.Storage.Workers;
using Npgsql;

namespace HeavyJobs.Fleet.Tests.Fleet;

/// <summary>
/// Issue 15, "connections that scale with machines, not workers": several machines' monitors (real
/// `heavyjobs monitor --node NAME` processes) on one PostgreSQL database, each with 8 busy workers, hold a
/// small constant of sessions per machine, however many workers run. Sessions are told apart by an application
/// name of the test's own, so other tests on the same server are not counted.
/// </summary>
public sealed class FleetConnectionsTests : IAsyncLifetime
{
    /// <summary>Three machines keep the suite short on a 2-core box; the bench measures 10 × 8 (fleet.pg.connections_per_machine).</summary>
    private const int Machines = 3;

    private const int WorkersPerMachine = 8;

    /// <summary>
    /// The monitor's loop, the gate of 2 for workers' calls (and the machine's heartbeat), and the LISTEN session,
    /// which also holds the machine name's lock (docs/operations.md).
    /// </summary>
    private const int PerMachine = 4;

    private static readonly TimeSpan Within = TimeSpan.FromSeconds(240);
    private readonly string _app = $"hjconn_{Guid.NewGuid():N}"[..20];
    private readonly List<Process> _monitors = [];
    private readonly List<string> _log = [];
    private string _schema = "";
    private string _db = "";
    private PostgresStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string BaseString => Environment.GetEnvironmentVariable("HEAVYJOBS_TEST_POSTGRES") is { Length: > 0 } s ? s : MonitorRun.DefaultPostgres;

    public async ValueTask InitializeAsync()
    {
        _schema = $"c_{Guid.NewGuid():N}";
        // A shared 2-core box can take longer than Npgsql's 15 s to accept a connection while dozens of processes start.
        _db = new NpgsqlConnectionStringBuilder(BaseString) { SearchPath = _schema, ApplicationName = _app, Timeout = 120 }.ToString();
        // The test's own store reads under another name: only the monitors and their workers are counted.
        _store = new PostgresStore(new NpgsqlConnectionStringBuilder(_db) { ApplicationName = "hjconn_test" }.ToString());
        await _store.MigrateAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var monitor in _monitors.Where(m => !m.HasExited))
        {
            MonitorRun.Signal(monitor.Id, "TERM");
        }

        foreach (var monitor in _monitors)
        {
            if (!monitor.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                monitor.Kill(entireProcessTree: true);
            }

            monitor.Dispose();
        }

        await MonitorRun.KillLeftoverWorkersAsync(_store, _db);

        await using (var drop = _store.DataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE"))
        {
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
        }

        await _store.DisposeAsync();
    }

    [Fact]
    public async Task MachinesWithEightBusyWorkersEach_HoldAtMostFourSessionsPerMachine()
    {
        var nodes = Enumerable.Range(1, Machines).Select(i => $"conn-{i}-{_app[7..12]}").ToList();
        // Targets first: once a machine has joined, a scale for a machine the fleet does not know yet is refused.
        foreach (var node in nodes)
        {
            Assert.Equal(0, (await CliAsync("workers", "scale", $"test.count={WorkersPerMachine}", "--node", node)).Exit);
        }

        foreach (var node in nodes)
        {
            StartMonitor(node);
        }

        // The work once every worker is up: submitted before, the first ones up could take the chunks of those
        // slow to start (24 .NET starts on two loaded cores), and the fleet would never be busy whole.
        Assert.True(
            await MonitorRun.UntilAsync(async () => (await _store.WorkerListAsync(new WorkerListParams(), Ct)).Count(w => w.State == WorkerState.Idle) == Machines * WorkersPerMachine, Within, Ct),
            Log());
        // Chunks of 20 s of work with a checkpoint every 100 ms: every worker stays busy and writes all along.
        await SubmitAsync(chunks: Machines * WorkersPerMachine * 2, items: 2000, sleepMs: 10, every: 10);
        Assert.True(
            await MonitorRun.UntilAsync(async () => (await BusyAsync()) == Machines * WorkersPerMachine, Within, Ct),
            $"{await BusyAsync()} of {Machines * WorkersPerMachine} workers busy\n{Log()}");
        var doneBefore = await DoneAsync();

        // Sampled while every worker runs and checkpoints: the most sessions seen at once.
        var most = 0;
        for (var i = 0; i < 20; i++)
        {
            most = Math.Max(most, await SessionsAsync());
            await Task.Delay(50, Ct);
        }

        Assert.True(await MonitorRun.UntilAsync(async () => await DoneAsync() > doneBefore, Within, Ct), "the workers commit progress while sessions are counted");
        TestContext.Current.TestOutputHelper?.WriteLine($"{Machines} machines x {WorkersPerMachine} busy workers: at most {most} sessions ({most / (double)Machines:0.##} per machine)");
        Assert.True(most <= Machines * PerMachine, $"{most} sessions for {Machines} machines of {WorkersPerMachine} busy workers: more than {PerMachine} per machine");
        Assert.Equal(Machines * WorkersPerMachine, await BusyAsync());
    }

    private async Task<int> SessionsAsync()
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(BaseString) { ApplicationName = "hjconn_count", Pooling = false }.ToString());
        await connection.OpenAsync(Ct);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE application_name = @app", connection);
        count.Parameters.AddWithValue("app", _app);
        return Convert.ToInt32(await count.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<int> BusyAsync() =>
        (await _store.WorkerListAsync(new WorkerListParams(), Ct)).Count(w => w.State == WorkerState.Busy && w.Pid > 0 && MonitorRun.Alive(w.Pid));

    private async Task<long> DoneAsync() =>
        (await _store.ChunkListAsync(new Storage.Chunks.ChunkListParams(Limit: 10_000), Ct)).Sum(c => c.Counters.Done);

    private async Task SubmitAsync(int chunks, int items, int sleepMs, int every) =>
        await _store.JobInsertAsync(
            new JobInsertParams(
                "test.count",
                [new StageDefinition("main", "test.count", StageMode.Streaming)],
                JsonSerializer.Serialize(new { sleepMs, every }),
                Enumerable.Range(0, chunks).Select(i => $$"""{"start":{{i * items}},"end":{{(i + 1) * items}}}"""),
                0,
                5,
                TimeProvider.System.GetUtcNow()),
            Ct);

    private void StartMonitor(string node)
    {
        var monitor = new Process { StartInfo = Info(["monitor", "--node", node, "--hung-after", "30"]) };
        monitor.OutputDataReceived += (_, e) => Append(e.Data);
        monitor.ErrorDataReceived += (_, e) => Append(e.Data);
        monitor.Start();
        monitor.BeginOutputReadLine();
        monitor.BeginErrorReadLine();
        _monitors.Add(monitor);
    }

    private async Task<(int Exit, string Out)> CliAsync(params string[] args)
    {
        using var process = Process.Start(Info(args))!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var error = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return (process.ExitCode, await output + await error);
    }

    private ProcessStartInfo Info(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = MonitorRun.RepoRoot };
        info.ArgumentList.Add(MonitorRun.Host);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["HEAVYJOBS_DB"] = _db;
        return info;
    }

    private void Append(string? line)
    {
        lock (_log)
        {
            _log.Add(line ?? "");
        }
    }

    private string Log()
    {
        lock (_log)
        {
            return string.Join('\n', _log.TakeLast(60));
        }
    }
}
