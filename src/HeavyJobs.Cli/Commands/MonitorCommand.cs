using System.CommandLine;
using HeavyJobs.Runtime.Monitor;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Cli.Commands;

internal static class MonitorCommand
{
    public static Command Create(CliApp app)
    {
        var node = new Option<string?>("--node") { Description = "This machine's name in the store (default: the host name)." };
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
        var workerStore = new Option<WorkerStoreAccess?>("--worker-store")
        {
            Description = "How workers reach the store: Monitor (over their pipes, on the monitor's few connections), Direct (each its own), or Auto (the default: Monitor on PostgreSQL, Direct on SQLite).",
        };
        var command = new Command("monitor", "Run this machine's monitor: start, watch, stop and restart worker processes as the store says.")
        {
            node, external, stall, hungAfter, backoff, lease, idleProbe, workerStore,
        };
        command.SetAction((parse, ct) => app.HostAsync(
            parse,
            roles => roles.AddMonitor(o =>
            {
                Map(o, parse.GetValue(node), parse.GetValue(external));
                o.StallTimeout = Seconds(parse.GetValue(stall)) ?? o.StallTimeout;
                o.HungAfter = Seconds(parse.GetValue(hungAfter)) ?? o.HungAfter;
                o.RestartBackoffBase = Seconds(parse.GetValue(backoff)) ?? o.RestartBackoffBase;
                o.Lease = Seconds(parse.GetValue(lease)) ?? o.Lease;
                o.IdleProbeInterval = Seconds(parse.GetValue(idleProbe)) ?? o.IdleProbeInterval;
                o.WorkerStoreAccess = parse.GetValue(workerStore) ?? o.WorkerStoreAccess;
            }),
            null,
            LogLevel.Information,
            ct));
        return command;
    }

    /// <summary>The flags every command that runs a monitor shares: the machine's name and the external workers.</summary>
    public static void Map(MonitorOptions options, string? node, IEnumerable<string>? external)
    {
        options.Node = node ?? options.Node;
        if (external is null)
        {
            return;
        }

        var workers = new Dictionary<string, IReadOnlyList<string>>(options.ExternalWorkers);
        foreach (var parts in external.Select(e => e.Split('=', 2)))
        {
            workers[parts.Length == 2 && parts[0].Length > 0 ? parts[0] : throw new UserError($"--external takes TYPE=COMMAND, not '{string.Join('=', parts)}'")] =
                parts[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }

        options.ExternalWorkers = workers;
    }

    private static TimeSpan? Seconds(double? seconds) => seconds is { } s ? TimeSpan.FromSeconds(s) : null;
}
