using System.CommandLine;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Cli.Commands;

internal static class ManagerCommand
{
    public static Command Create(CliApp app)
    {
        var command = new Command("manager", "Run the fleet's manager: advance pipelines, finish jobs, reclaim expired leases, fire schedules, keep the roll-ups.");
        command.SetAction((parse, ct) => app.HostAsync(parse, roles => roles.AddManager(), null, LogLevel.Information, ct));
        return command;
    }
}
