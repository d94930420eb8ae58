using System.CommandLine;
using HeavyJobs.Runtime.Monitor;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Cli.Commands;

internal static class MonitorCommand
{
    public static Command Create(CliApp app)
    {
        var node = new Option<string>("--node") { Description = "This machine's name in the store (default: the host name).", DefaultValueFactory = _ => Environment.MachineName };
        var external = new Option<string[]>("--external")
        {
            Description = "A job type run by another executable speaking the worker protocol: TYPE=COMMAND (repeatable), e.g. py.squares=\"python3 workers/python/heavyjobs_worker.py\".",
        };
        var stall = new Option<double?>("--stall-timeout") { Description = "Seconds of heartbeats without progress after which a busy worker is hung (default: each type's own)." };
        var hungAfter = new Option<double?>("--hung-after") { Description = "Seconds without a heartbeat after which a worker is hung (default 15)." };
        var backoff = new Option<double?>("--restart-backoff") { Description = "Seconds before restarting a worker type that died twice in a row; doubles per death (default 1)." };
        var lease = new Option<double?>("--lease")
        {
            Description = "Seconds a claim or heartbeat holds a chunk; after it, anyone may take the chunk back (default 30). Only a dead machine's chunks wait for it.",
        };
        var idleProbe = new Option<double?>("--idle-probe")
        {
            Description = "Seconds between looks for work come due by time alone (a retry's back-off over) for idle workers (default 15).",
        };
        var command = new Command("monitor", "Run this machine's monitor: start, watch, stop and restart worker processes as the store says.")
        {
            node, external, stall, hungAfter, backoff, lease, idleProbe,
        };
        command.SetAction((parse, ct) => app.GuardAsync(
            parse,
            async store =>
            {
                using var stop = new StopSignal(ct);
                using var loggers = CliApp.Loggers(LogLevel.Information);
                var options = Options(app, parse.GetValue(app.Db)!, parse.GetValue(node)!, parse.GetValue(external) ?? []) with
                {
                    StallTimeout = parse.GetValue(stall) is { } s ? TimeSpan.FromSeconds(s) : null,
                    HungAfter = parse.GetValue(hungAfter) is { } h ? TimeSpan.FromSeconds(h) : TimeSpan.FromSeconds(15),
                    RestartBackoffBase = parse.GetValue(backoff) is { } b ? TimeSpan.FromSeconds(b) : TimeSpan.FromSeconds(1),
                    Lease = parse.GetValue(lease) is { } l ? TimeSpan.FromSeconds(l) : TimeSpan.FromSeconds(30),
                    IdleProbeInterval = parse.GetValue(idleProbe) is { } p ? TimeSpan.FromSeconds(Math.Max(0.1, p)) : TimeSpan.FromSeconds(15),
                };
                if (options.Lease < options.HeartbeatInterval * 3)
                {
                    throw new UserError($"--lease must be at least {(options.HeartbeatInterval * 3).TotalSeconds:0} s (three lease extensions), so that a busy chunk is never lost between two");
                }

                await new HeavyMonitor(store, app.Registry, options, app.Time, loggers).RunAsync(stop.Token);
                return 0;
            },
            CancellationToken.None));
        return command;
    }

    public static MonitorOptions Options(CliApp app, string db, string node, IEnumerable<string> external) => new()
    {
        Node = node,
        Db = StoreFactory.IsPostgres(db) ? db : Path.GetFullPath(db),
        Version = Version.Current,
        WorkerCommand = SelfCommand(),
        ExternalWorkers = external.Select(e => e.Split('=', 2)).ToDictionary(
            p => p.Length == 2 && p[0].Length > 0 ? p[0] : throw new UserError($"--external takes TYPE=COMMAND, not '{string.Join('=', p)}'"),
            p => (IReadOnlyList<string>)p[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)),
    };

    /// <summary>How to start this same executable again (as `dotnet heavyjobs.dll` or as an apphost).</summary>
    private static string[] SelfCommand()
    {
        var process = Environment.ProcessPath ?? "dotnet";
        var entry = System.Reflection.Assembly.GetEntryAssembly()?.Location;
        return Path.GetFileNameWithoutExtension(process) == "dotnet" && entry is { Length: > 0 } ? [process, entry] : [process];
    }
}
