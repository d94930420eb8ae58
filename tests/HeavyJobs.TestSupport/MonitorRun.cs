using System.Diagnostics;
using System.Globalization;
using System.Text;
using HeavyJobs.Core.Model;
using HeavyJobs.Runtime.Protocol;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Workers;
using HeavyJobs.Storage.Postgres;
using HeavyJobs.Storage.Sqlite;
using Npgsql;

namespace HeavyJobs.TestSupport;

/// <summary>
/// A real monitor process (the heavyjobs executable with test handlers) on a database of its own. A test project
/// that uses it references tests/HeavyJobs.TestHost, so the executable sits beside the tests.
/// </summary>
public sealed class MonitorRun : IAsyncDisposable
{
    public const string DefaultPostgres = "Host=127.0.0.1;Port=5432;Username=heavyjobs;Password=heavyjobs;Database=heavyjobs_test";

    private readonly StringBuilder _log = new();
    private Process? _monitor;
    private Process? _manager;

    private MonitorRun(string db, string node, IHeavyStore store)
    {
        Db = db;
        Node = node;
        Store = store;
    }

    /// <summary>
    /// How long a scenario waits for what must come: not a bound on how soon. On CI's loaded two cores a minute
    /// ran out for work that takes seconds alone, and at the suite's peak a worker process once took 105 s from
    /// its start to its first log line (2026-12-06), so two minutes ran out too; the waits that tell one
    /// mechanism from another (a 600 s lease or probe, a 5-minute stall timeout or poll) stay well short of what
    /// they tell apart.
    /// </summary>
    public static readonly TimeSpan Within = TimeSpan.FromMinutes(3);

    public string Db { get; }

    public string Node { get; }

    public IHeavyStore Store { get; }

    public Process Monitor => _monitor!;

    /// <summary>The manager process, once <see cref="StartManager"/> started it.</summary>
    public Process? Manager => _manager;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>The test host's ready-to-run copy, which every build makes (tests/HeavyJobs.TestHost's project says why).</summary>
    public static string Host => Path.Combine(HostFolder, "HeavyJobs.TestHost.dll");

    /// <summary>
    /// The folder of the test host's ready-to-run copy, of the same configuration as the calling test's build: the
    /// test host's own, not the calling test's (which holds the test framework too). <c>HEAVYJOBS_TEST_HOST_DIR</c>
    /// names another: a run of hours (scripts/fleet-whois.sh) runs the plain build from a copy no rebuild overwrites.
    /// </summary>
    public static string HostFolder
    {
        get
        {
            var folder = Environment.GetEnvironmentVariable(HostFolderVariable) is { Length: > 0 } copy
                ? copy
                : Path.Combine(RepoRoot, "tests", "HeavyJobs.TestHost", "bin", new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name, "net10.0", "ready-to-run");
            return File.Exists(Path.Combine(folder, "HeavyJobs.TestHost.dll"))
                ? folder
                : throw new InvalidOperationException($"the test host is missing: build tests/HeavyJobs.TestHost ({folder})");
        }
    }

    private const string HostFolderVariable = "HEAVYJOBS_TEST_HOST_DIR";

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "HeavyJobs.slnx")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>A run on a fresh database: a SQLite file, or a schema of its own on <paramref name="postgres"/> (the tests' server by default).</summary>
    public static async Task<MonitorRun> CreateAsync(string kind, CancellationToken ct, string? postgres = null)
    {
        string db;
        IHeavyStore store;
        if (kind == "sqlite")
        {
            var dir = Path.Combine(Path.GetTempPath(), "heavyjobs-monitor-tests", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            db = Path.Combine(dir, "h.db");
            store = new SqliteStore(db);
        }
        else
        {
            var baseString = postgres ?? (Environment.GetEnvironmentVariable("HEAVYJOBS_TEST_POSTGRES") is { Length: > 0 } s ? s : DefaultPostgres);
            db = new NpgsqlConnectionStringBuilder(baseString) { SearchPath = $"m_{Guid.NewGuid():N}" }.ToString();
            store = new PostgresStore(db);
        }

        await store.MigrateAsync(ct);
        return new MonitorRun(db, $"node-{Guid.NewGuid():N}"[..13], store);
    }

    /// <summary>
    /// Runs <paramref name="sql"/> on the run's database behind HeavyJobs' back: no notification, no store logic.
    /// For what a test must change without waking anyone (time passing, say).
    /// </summary>
    public async Task ExecuteSqlAsync(string sql, CancellationToken ct)
    {
        if (Store is PostgresStore pg)
        {
            await using var command = pg.DataSource.CreateCommand(sql);
            await command.ExecuteNonQueryAsync(ct);
            return;
        }

        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Db};Pooling=False");
        await connection.OpenAsync(ct);
        await using var sqlite = connection.CreateCommand();
        sqlite.CommandText = sql;
        await sqlite.ExecuteNonQueryAsync(ct);
    }

    public void Start(params string[] extra) => StartWith(new Dictionary<string, string>(), extra);

    /// <summary>Starts the monitor with settings that have no flag, as environment variables (HeavyJobs__Monitor__StopGrace=…).</summary>
    public void StartWith(IReadOnlyDictionary<string, string> env, params string[] extra)
    {
        // A loaded machine can keep a live worker from being scheduled for seconds; the hung-worker test uses
        // the stall timeout instead, so this bound only has to catch a worker that truly went silent.
        string[] hung = extra.Contains("--hung-after") ? [] : ["--hung-after", "20"];
        var info = Info(["monitor", "--node", Node, .. hung, "--restart-backoff", "0.2", .. extra], env);
        _monitor = new Process { StartInfo = info };
        _monitor.OutputDataReceived += (_, e) => Append(e.Data);
        _monitor.ErrorDataReceived += (_, e) => Append(e.Data);
        _monitor.Start();
        _monitor.BeginOutputReadLine();
        _monitor.BeginErrorReadLine();
    }

    /// <summary>
    /// Starts another heavyjobs process on this run's database (a standalone worker, say), with its output in
    /// <see cref="Log"/>; the caller ends it.
    /// </summary>
    public Process StartProcess(IReadOnlyDictionary<string, string> env, params string[] args)
    {
        var process = new Process { StartInfo = Info(args, env) };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Starts the fleet's manager (pipelines, schedules) as its own process.</summary>
    public void StartManager()
    {
        _manager = new Process { StartInfo = Info(["manager"]) };
        _manager.OutputDataReceived += (_, e) => Append(e.Data);
        _manager.ErrorDataReceived += (_, e) => Append(e.Data);
        _manager.Start();
        _manager.BeginOutputReadLine();
        _manager.BeginErrorReadLine();
    }

    public async Task<(int Exit, string Out)> CliAsync(CancellationToken ct, params string[] args)
    {
        using var process = Process.Start(Info(args))!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, await output + await error);
    }

    public static bool Alive(int pid)
    {
        try
        {
            return !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether <paramref name="pid"/> is still worker <paramref name="workerId"/>, started for one of the stores
    /// <paramref name="dbs"/>. A worker row keeps its pid after its process ends, and this machine hands pids out
    /// again within minutes (pid_max is 32,768, and every thread takes one): a pid read from an old row may by now
    /// be another test's worker or monitor, or a PostgreSQL backend, whose SIGKILL restarts the whole server. So
    /// nothing is signalled on a pid from a row alone: the process's own environment must say it is that worker.
    /// </summary>
    public static bool IsWorker(int pid, long workerId, params IReadOnlyCollection<string> dbs)
    {
        try
        {
            var environment = File.ReadAllText($"/proc/{pid}/environ").Split('\0');
            return environment.Contains($"{WorkerEnvironment.WorkerId}={workerId.ToString(CultureInfo.InvariantCulture)}", StringComparer.Ordinal)
                && dbs.Any(db => environment.Contains($"{WorkerEnvironment.Db}={db}", StringComparer.Ordinal));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>SIGKILLs whatever workers of <paramref name="store"/> a broken run left behind, and nothing else (see <see cref="IsWorker"/>).</summary>
    public static async Task KillLeftoverWorkersAsync(IHeavyStore store, params IReadOnlyCollection<string> dbs)
    {
        var pids = (await store.WorkerListAsync(new WorkerListParams(IncludeExited: true, Limit: 10_000), CancellationToken.None))
            .Where(w => w.Pid > 0 && IsWorker(w.Pid, w.Id, dbs))
            .Select(w => w.Pid)
            .ToArray();
        if (pids.Length > 0)
        {
            Signal("KILL", pids);
        }
    }

    public static void Signal(int pid, string signal) => Signal(signal, pid);

    /// <summary>Signals every pid from one kill(1), microseconds apart, as a cgroup's kill would: none of them gets the time to react to another's end.</summary>
    public static void Signal(string signal, params int[] pids)
    {
        using var kill = Process.Start("kill", [$"-{signal}", .. pids.Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture))])!;
        kill.WaitForExit();
    }

    /// <summary>Waits for a condition on real processes; there is no event to wait on, so it looks every 50 ms up to a deadline.</summary>
    public static async Task<bool> UntilAsync(Func<Task<bool>> condition, TimeSpan within, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < within)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(50, ct);
        }

        return await condition();
    }

    /// <summary>
    /// Scales <paramref name="type"/> to <paramref name="count"/> workers on this machine and waits until each is
    /// up and idle, so that work submitted next finds them all ready. Submitted before them, a job whose test needs
    /// them all busy at once could be done by the first ones up: on CI's loaded two cores a worker's start took
    /// tens of seconds more than its neighbour's.
    /// </summary>
    public async Task<bool> ScaleUpIdleAsync(string type, int count, CancellationToken ct)
    {
        var (exit, output) = await CliAsync(ct, "workers", "scale", $"{type}={count.ToString(CultureInfo.InvariantCulture)}", "--node", Node);
        if (exit != 0)
        {
            throw new InvalidOperationException($"workers scale exited {exit}: {output}");
        }

        return await UntilAsync(
            async () => (await Store.WorkerListAsync(new WorkerListParams(Node), ct)).Count(w => w.State == WorkerState.Idle && w.Types.Contains(type)) == count,
            Within,
            ct);
    }

    /// <summary>Waits until every chunk of the job is done.</summary>
    public Task<bool> UntilDoneAsync(long job, TimeSpan within, CancellationToken ct) =>
        UntilAsync(async () => (await Store.ChunkListAsync(new ChunkListParams(job), ct)).All(c => c.State == ChunkState.Done), within, ct);

    /// <summary>
    /// What a failed wait on a job shows: the monitor's log, every chunk's state, progress and holders, and every
    /// worker's state, so a run that was only slow tells itself apart from work left on a lease.
    /// </summary>
    public async Task<string> DescribeAsync(long job, CancellationToken ct)
    {
        var chunks = await Store.ChunkListAsync(new ChunkListParams(job), ct);
        var workers = await Store.WorkerListAsync(new WorkerListParams(IncludeExited: true), ct);
        return $"""
            {Log}
            now: {TimeProvider.System.GetUtcNow():HH:mm:ss.fff}
            chunks: {string.Join("; ", chunks.Select(c => $"{c.Id} {c.State} done {c.Counters.Done} lease {c.LeaseOwner} until {c.LeaseExpiresAt:HH:mm:ss} holders {string.Join(",", c.Holders)} run after {c.RunAfter:HH:mm:ss.fff} attempts {c.Attempts} crashes {c.Crashes} updated {c.UpdatedAt:HH:mm:ss.fff}"))}
            workers: {string.Join("; ", workers.Select(w => $"{w.Id} pid {w.Pid} {w.State} chunk {w.CurrentChunk} beat {w.HeartbeatAt:HH:mm:ss} exit {w.ExitReason}"))}
            the workers' last stderr lines:
            {string.Join("\n", workers.Select(w => $"worker {w.Id}: {w.StderrTail?.Trim()}"))}
            """;
    }

    public async ValueTask DisposeAsync()
    {
        if (_monitor is { HasExited: false })
        {
            Signal(_monitor.Id, "TERM");
            if (!_monitor.WaitForExit(TimeSpan.FromSeconds(15)))
            {
                _monitor.Kill(entireProcessTree: true);
            }
        }

        if (_manager is { HasExited: false })
        {
            Signal(_manager.Id, "TERM");
            if (!_manager.WaitForExit(TimeSpan.FromSeconds(15)))
            {
                _manager.Kill(entireProcessTree: true);
            }
        }

        _manager?.Dispose();

        // Whatever a broken run left behind must not outlive the test.
        await KillLeftoverWorkersAsync(Store, Db);

        _monitor?.Dispose();
        if (Store is PostgresStore pg)
        {
            await using var command = pg.DataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{new NpgsqlConnectionStringBuilder(Db).SearchPath}\" CASCADE");
            await command.ExecuteNonQueryAsync();
        }

        await Store.DisposeAsync();
    }

    private ProcessStartInfo Info(IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoRoot,
        };
        info.ArgumentList.Add(Host);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["HEAVYJOBS_DB"] = Db;
        foreach (var (name, value) in env ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return info;
    }

    private void Append(string? line)
    {
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
