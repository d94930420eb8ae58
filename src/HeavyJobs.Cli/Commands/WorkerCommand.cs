using System.CommandLine;
using System.Globalization;
using HeavyJobs.Runtime.Protocol;
using HeavyJobs.Runtime.Worker;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Cli.Commands;

internal static class WorkerCommand
{
    public static Command Create(CliApp app)
    {
        var types = new Option<string[]>("--types") { Description = "Job types to run (default: every registered type).", AllowMultipleArgumentsPerToken = true };
        var concurrency = new Option<int>("--concurrency") { Description = "Chunks run at once.", DefaultValueFactory = _ => 1 };
        var node = new Option<string>("--node") { Description = "The machine name to register under.", DefaultValueFactory = _ => Environment.MachineName };
        var monitored = new Option<bool>("--monitored") { Description = "Run under a monitor: speak the worker protocol on stdin/stdout (docs/worker-protocol.md)." };
        var command = new Command("worker", "Run a worker in the foreground until Ctrl+C or SIGTERM (then it checkpoints and gives its chunks back).")
        {
            types, concurrency, node, monitored,
        };
        command.SetAction((parse, ct) => app.GuardAsync(
            parse,
            async store =>
            {
                using var stop = new StopSignal(ct);
                using var loggers = CliApp.Loggers(LogLevel.Information);
                var options = new WorkerOptions
                {
                    Types = (parse.GetValue(types) ?? []).SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries)).ToList(),
                    Concurrency = Math.Max(1, parse.GetValue(concurrency)),
                };
                if (parse.GetValue(monitored))
                {
                    var heartbeat = Milliseconds(WorkerEnvironment.HeartbeatMs) ?? 1000;
                    using var pipe = new PipeWorkerHost(Console.In, Console.Out, Version.Current, stop.Cancel);
                    options = options with
                    {
                        HeartbeatInterval = TimeSpan.FromMilliseconds(heartbeat),
                        IdleHeartbeatInterval = TimeSpan.FromMilliseconds(Milliseconds(WorkerEnvironment.IdleHeartbeatMs) ?? heartbeat),
                        Lease = Milliseconds(WorkerEnvironment.LeaseMs) is { } lease ? TimeSpan.FromMilliseconds(lease) : options.Lease,
                        // The monitor wakes it for work come due by time too (MonitorOptions.IdleProbeInterval), one
                        // probe per type for all its workers: its own poll is only a safety net.
                        IdleFallbackPoll = TimeSpan.FromMinutes(5),
                    };
                    await new ChunkWorker(store, app.Registry, pipe, options, app.Time, loggers).RunAsync(stop.Token);
                    return 0;
                }

                await using var host = new StandaloneWorkerHost(store, parse.GetValue(node)!, Version.Current, options.Lease, app.Time);
                var worker = new ChunkWorker(store, app.Registry, host, options, app.Time, loggers);
                await worker.RunAsync(stop.Token);
                return 0;
            },
            CancellationToken.None));
        return command;
    }

    /// <summary>A period the monitor gave in the environment, at least 100 ms; null when absent or not a number.</summary>
    private static int? Milliseconds(string variable) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) ? Math.Max(100, ms) : null;
}
