using System.CommandLine;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Cli.Commands;

internal static class WorkerCommand
{
    public static Command Create(CliApp app)
    {
        var types = new Option<string[]>("--types") { Description = "Job types to run (default: every registered type).", AllowMultipleArgumentsPerToken = true };
        var concurrency = new Option<int?>("--concurrency") { Description = "Chunks run at once (default 1)." };
        var node = new Option<string?>("--node") { Description = "The machine name to register under (default: the host name)." };
        var monitored = new Option<bool>("--monitored")
        {
            Description = "Run under a monitor: speak the worker protocol on stdin/stdout (docs/worker-protocol.md). The monitor passes it, with its environment.",
        };
        var command = new Command("worker", "Run a worker in the foreground until Ctrl+C or SIGTERM (then it checkpoints and gives its chunks back).")
        {
            types, concurrency, node, monitored,
        };
        command.SetAction((parse, ct) => app.HostAsync(
            parse,
            roles => roles.AddWorker(o =>
            {
                if (parse.GetValue(types) is { Length: > 0 } t)
                {
                    o.Types = t.SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries)).ToList();
                }

                o.Concurrency = parse.GetValue(concurrency) ?? o.Concurrency;
                o.Node = parse.GetValue(node) ?? o.Node;
            }),
            null,
            LogLevel.Information,
            ct));
        return command;
    }
}
