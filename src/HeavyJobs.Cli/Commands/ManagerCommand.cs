using System.CommandLine;
using HeavyJobs.Runtime.Jobs;
using HeavyJobs.Runtime.Manager;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Cli.Commands;

internal static class ManagerCommand
{
    public static Command Create(CliApp app)
    {
        var command = new Command("manager", "Run the fleet's manager: advance pipelines, finish jobs, reclaim expired leases, fire schedules.");
        command.SetAction((parse, ct) => app.GuardAsync(
            parse,
            async store =>
            {
                using var stop = new StopSignal(ct);
                using var loggers = CliApp.Loggers(LogLevel.Information);
                await new HeavyManager(
                        store,
                        async (definition, source, c) => (await JobSubmitter.SubmitAsync(store, app.Registry, definition, source, Environment.CurrentDirectory, app.Time, c)).JobId,
                        app.Time,
                        loggers)
                    .RunAsync(stop.Token);
                return 0;
            },
            CancellationToken.None));
        return command;
    }
}
