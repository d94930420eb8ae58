using System.Diagnostics;
using System.Text;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Postgres;
using HeavyJobs.Storage.Sqlite;
using Npgsql;

namespace HeavyJobs.TestSupport;

/// <summary>
/// A fleet on one box: several machines' process trees against one database. Each machine is a monitor process
/// with its own name and boot id (so a restart "after a reboot" is a new boot id), whose workers are its children;
/// managers are processes of their own. Killing a machine kills its monitor and every worker it started.
/// </summary>
public sealed class FleetRun : IAsyncDisposable
{
    private readonly StringBuilder _log = new();
    private readonly Dictionary<string, Process> _monitors = [];
    private readonly Dictionary<string, int> _boots = [];
    private readonly List<Process> _managers = [];
    private readonly Dictionary<string, string> _installRoots = [];
    private readonly Dictionary<string, (NetworkNamespace Namespace, string Db)> _placements = [];
    private bool _disposing;

    private FleetRun(string db, IHeavyStore store, string prefix)
    {
        Db = db;
        Store = store;
        Prefix = prefix;
    }

    public string Db { get; }

    public IHeavyStore Store { get; }

    /// <summary>Machine names of this run start with it, so runs sharing nothing still read well in logs.</summary>
    public string Prefix { get; }

    /// <summary>Settings every process of the fleet gets (HeavyJobs__Section__Key = value).</summary>
    public Dictionary<string, string> Environment { get; } = [];

    public IReadOnlyList<Process> Managers => _managers;

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

    /// <summary>A fleet on a fresh database: a SQLite file, or a schema of its own on <paramref name="postgres"/> (the tests' server by default).</summary>
    public static async Task<FleetRun> CreateAsync(string kind, CancellationToken ct, string? postgres = null)
    {
        string db;
        IHeavyStore store;
        if (kind == "sqlite")
        {
            var dir = Path.Combine(Path.GetTempPath(), "heavyjobs-fleet-tests", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            db = Path.Combine(dir, "h.db");
            store = new SqliteStore(db);
        }
        else
        {
            var baseString = postgres ?? (System.Environment.GetEnvironmentVariable("HEAVYJOBS_TEST_POSTGRES") is { Length: > 0 } s ? s : MonitorRun.DefaultPostgres);
            db = new NpgsqlConnectionStringBuilder(baseString) { SearchPath = $"f_{Guid.NewGuid():N}" }.ToString();
            store = new PostgresStore(db);
        }

        await store.MigrateAsync(ct);
        return new FleetRun(db, store, $"m{Guid.NewGuid():N}"[..7]);
    }

    public string Machine(int i) => $"{Prefix}-{i}";

    /// <summary>
    /// From now on machine <paramref name="name"/>'s monitor starts from <c>&lt;root&gt;/current</c>, and is started
    /// again from there whenever it exits for a deploy (exit code 75), as its unit would.
    /// </summary>
    public void UseInstallRoot(string name, string root) => _installRoots[name] = root;

    /// <summary>
    /// From now on machine <paramref name="name"/>'s monitor (and so its workers) runs inside <paramref name="ns"/>,
    /// reaching the database with <paramref name="db"/>: a machine whose network a test can cut.
    /// </summary>
    public void PlaceIn(string name, NetworkNamespace ns, string db) => _placements[name] = (ns, db);

    /// <summary>Starts machine <paramref name="name"/>'s monitor; <paramref name="reboot"/> gives it a new boot id.</summary>
    public Process StartMachine(string name, bool reboot = false, params string[] extra)
    {
        _boots[name] = _boots.GetValueOrDefault(name) + (reboot || !_boots.ContainsKey(name) ? 1 : 0);
        var host = _installRoots.TryGetValue(name, out var root) ? Path.Combine(root, "current", Path.GetFileName(MonitorRun.Host)) : MonitorRun.Host;
        var env = new Dictionary<string, string> { ["HeavyJobs__Monitor__BootId"] = $"boot-{name}-{_boots[name]}" };
        var placed = _placements.TryGetValue(name, out var placement);
        if (placed)
        {
            env["HEAVYJOBS_DB"] = placement.Db;
        }

        var process = Start(["monitor", "--node", name, "--restart-backoff", "0.2", .. extra], env, host, placed ? placement.Namespace : null);
        if (root is not null)
        {
            process.EnableRaisingEvents = true;
            process.Exited += (_, _) =>
            {
                // As its unit: started again after a deploy's exit (75) or a failure (not after a clean stop, nor
                // after 2, a setting to fix), each start preceded by the start guard of the build it replaced.
                if (!_disposing && process.ExitCode is not (0 or 2))
                {
                    Append("fleet", $"{name}: monitor exited with code {process.ExitCode}; starting it again from {root}/current");
                    Guard(root);
                    lock (_monitors)
                    {
                        StartMachine(name, reboot: false, extra);
                    }
                }
            };
        }

        lock (_monitors)
        {
            _monitors[name] = process;
        }

        return process;
    }

    public Process StartManager()
    {
        var process = Start(["manager"], []);
        _managers.Add(process);
        return process;
    }

    /// <summary>Runs a CLI command against the fleet's database.</summary>
    public Task<(int Exit, string Out)> CliAsync(CancellationToken ct, params string[] args) => CliAsync(TimeSpan.FromMinutes(10), ct, args);

    /// <summary>Runs a command to its end; one still running after <paramref name="within"/> is killed and the test fails (a command that should refuse to start and runs instead must not hang the suite).</summary>
    public async Task<(int Exit, string Out)> CliAsync(TimeSpan within, CancellationToken ct, params string[] args)
    {
        using var process = Process.Start(Info(args, []))!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(within);
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException($"heavyjobs {string.Join(' ', args)} still ran after {within.TotalSeconds:0} s: {await output + await error}");
        }

        return (process.ExitCode, await output + await error);
    }

    /// <summary>The stores the fleet's monitors were given: the fleet's, and those of machines placed elsewhere.</summary>
    internal string[] Dbs => [Db, .. _placements.Values.Select(p => p.Db)];

    /// <summary>SIGKILLs a machine whole: its monitor and every worker process it started, at once.</summary>
    public async Task KillMachineAsync(string name)
    {
        var pids = new List<int> { _monitors[name].Id };
        foreach (var w in await Store.WorkerListAsync(new Storage.Workers.WorkerListParams(name, IncludeExited: true), CancellationToken.None))
        {
            if (w.Pid > 0 && MonitorRun.IsWorker(w.Pid, w.Id, Dbs))
            {
                pids.Add(w.Pid);
            }
        }

        using var kill = Process.Start("kill", ["-KILL", .. pids.Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture))])!;
        await kill.WaitForExitAsync();
        await _monitors[name].WaitForExitAsync();
    }

    /// <summary>Signals machine <paramref name="name"/> whole: its monitor and every process under it (SIGSTOP freezes it as starvation would).</summary>
    public Task SignalMachineAsync(string name, string signal) => Chaos.ChaosProcesses.SignalAsync(Chaos.ChaosProcesses.Tree(MonitorOf(name).Id), signal);

    public Process MonitorOf(string name)
    {
        lock (_monitors)
        {
            return _monitors[name];
        }
    }

    public async ValueTask DisposeAsync()
    {
        _disposing = true;
        foreach (var p in _monitors.Values.Concat(_managers).Where(p => !p.HasExited))
        {
            MonitorRun.Signal(p.Id, "TERM");
        }

        foreach (var p in _monitors.Values.Concat(_managers))
        {
            if (!p.WaitForExit(TimeSpan.FromSeconds(20)))
            {
                p.Kill(entireProcessTree: true);
            }

            p.Dispose();
        }

        await MonitorRun.KillLeftoverWorkersAsync(Store, Dbs);

        if (Store is PostgresStore pg)
        {
            await using var command = pg.DataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{new NpgsqlConnectionStringBuilder(Db).SearchPath}\" CASCADE");
            await command.ExecuteNonQueryAsync();
        }

        await Store.DisposeAsync();
    }

    /// <summary>The unit's ExecStartPre: <c>service guard</c> run from <c>&lt;root&gt;/previous</c>, when a deploy left one.</summary>
    private void Guard(string root)
    {
        var previous = Path.Combine(root, "previous", Path.GetFileName(MonitorRun.Host));
        if (!File.Exists(previous))
        {
            return;
        }

        using var guard = Process.Start(Info(["service", "guard", "--root", root], [], previous))!;
        Append("guard", guard.StandardOutput.ReadToEnd() + guard.StandardError.ReadToEnd());
        guard.WaitForExit();
    }

    private Process Start(IEnumerable<string> args, Dictionary<string, string> env, string? host = null, NetworkNamespace? ns = null)
    {
        var info = Info(args, env, host);
        var process = new Process { StartInfo = ns is null ? info : ns.Wrap(info) };
        var tag = string.Join(' ', args.Take(3));
        process.OutputDataReceived += (_, e) => Append(tag, e.Data);
        process.ErrorDataReceived += (_, e) => Append(tag, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private ProcessStartInfo Info(IEnumerable<string> args, Dictionary<string, string> env, string? host = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = MonitorRun.RepoRoot,
        };
        info.ArgumentList.Add(host ?? MonitorRun.Host);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["HEAVYJOBS_DB"] = Db;
        foreach (var (k, v) in Environment.Concat(env))
        {
            info.Environment[k] = v;
        }

        return info;
    }

    private void Append(string tag, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.Append('[').Append(tag).Append("] ").AppendLine(line);
        }
    }
}
