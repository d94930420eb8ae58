using System.CommandLine;
using HeavyJobs.Web.Hosting;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Cli.Commands;

/// <summary>
/// Several roles in one long-running host, with no job of its own: what the one-unit service layout runs
/// (<c>heavyjobs service install --layout one</c>). <c>run</c> is the same roles plus a pilot job.
/// </summary>
internal static class ServeCommand
{
    public const string Manager = "manager";
    public const string Monitor = "monitor";
    public const string Web = "web";

    public static readonly string[] AllRoles = [Manager, Monitor, Web];

    public static Command Create(CliApp app)
    {
        var roles = new Option<string>("--roles") { Description = "The roles to run, separated by ',': manager, monitor, web.", DefaultValueFactory = _ => string.Join(',', AllRoles) };
        var node = new Option<string?>("--node") { Description = "This machine's name in the store (default: the host name)." };
        var external = new Option<string[]>("--external") { Description = "A job type run by another executable speaking the worker protocol: TYPE=COMMAND (repeatable)." };
        var urls = WebCommand.Urls();
        var users = WebCommand.Users();
        var allowedHosts = WebCommand.AllowedHosts();
        var command = new Command("serve", "Run the chosen roles (manager, monitor, web) in one process until stopped; what a single service unit runs.")
        {
            roles, node, external, urls, users, allowedHosts,
        };
        command.SetAction((parse, ct) => app.HostAsync(
            parse,
            builder =>
            {
                // Here, inside the host's start, an unknown role is reported as one line with exit code 2.
                var chosen = Parse(parse.GetValue(roles)!);
                if (chosen.Contains(Manager))
                {
                    builder.AddManager();
                }

                if (chosen.Contains(Monitor))
                {
                    builder.AddMonitor(o => MonitorCommand.Map(o, parse.GetValue(node), parse.GetValue(external)));
                }

                if (chosen.Contains(Web))
                {
                    builder.AddDashboard(o => WebCommand.Map(o, parse.GetValue(urls)!, parse.GetValue(users), parse.GetValue(allowedHosts)));
                }
            },
            null,
            LogLevel.Information,
            ct));
        return command;
    }

    /// <summary>"manager,monitor" to its roles; an unknown role is the user's mistake.</summary>
    public static IReadOnlySet<string> Parse(string roles)
    {
        var chosen = roles.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        if (chosen.Count == 0 || chosen.FirstOrDefault(r => !AllRoles.Contains(r)) is { } unknown)
        {
            throw new UserError($"--roles takes manager, monitor and web separated by ',', not '{roles}'");
        }

        return chosen;
    }
}
