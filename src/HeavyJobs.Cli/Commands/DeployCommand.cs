using System.CommandLine;
using System.Globalization;
using HeavyJobs.Runtime.Fleet;
using HeavyJobs.Runtime.Hosting;
using HeavyJobs.Storage.Nodes;

namespace HeavyJobs.Cli.Commands;

/// <summary>
/// <c>heavyjobs deploy BUILD</c>: a rolling deploy over the fleet, machine by machine, through the database
/// (<see cref="RollingDeploy"/>; docs/operations.md, "Deploy"). Exit 0 when every machine runs the version, 1 when a
/// machine failed its check (it was switched back and the deploy stopped), 2 for a bad request.
/// </summary>
internal static class DeployCommand
{
    public static Command Create(CliApp app)
    {
        var build = new Argument<string>("build") { Description = "The new build: a folder, or a .zip or .nupkg of one, at a path every machine can read." };
        var version = new Option<string?>("--version-name") { Description = "The version to install it as; default: its VERSION file, or its assembly's informational version." };
        var machines = new Option<string?>("--machines") { Description = "Comma-separated machines, in this order; default: every machine that is up, by name." };
        var switchTimeout = new Option<double>("--switch-timeout") { Description = "Seconds a machine gets to drain, switch and bring its monitor back.", DefaultValueFactory = _ => 300 };
        var healthTimeout = new Option<double>("--health-timeout") { Description = "Seconds its workers then get to come up on the new version and work.", DefaultValueFactory = _ => 120 };
        var command = new Command("deploy", "Roll a new build over the fleet, one machine at a time: drain, switch, check; roll back a machine that fails its check and stop.")
        {
            build, version, machines, switchTimeout, healthTimeout,
        };
        command.SetAction((parse, ct) => app.GuardAsync(
            parse,
            async store =>
            {
                var source = Path.GetFullPath(parse.GetValue(build)!);
                if (!Directory.Exists(source) && !File.Exists(source))
                {
                    await Console.Error.WriteLineAsync($"error: no build at {source}");
                    return 2;
                }

                string name;
                try
                {
                    name = parse.GetValue(version) ?? (Directory.Exists(source) ? AppVersion.Of(source) : Path.GetFileNameWithoutExtension(source));
                }
                catch (Exception ex) when (ex is InvalidOperationException or IOException)
                {
                    await Console.Error.WriteLineAsync($"error: {ex.Message}; say --version-name");
                    return 2;
                }

                var nodes = await store.NodeListAsync(ct);
                var order = parse.GetValue(machines) is { } list
                    ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList()
                    : nodes.Where(n => n.State == NodeStates.Up).Select(n => n.Name).Order(StringComparer.Ordinal).ToList();
                if (order.FirstOrDefault(m => nodes.All(n => n.Name != m)) is { } unknown)
                {
                    await Console.Error.WriteLineAsync($"error: unknown machine '{unknown}'; known machines: {string.Join(", ", nodes.Select(n => n.Name))}");
                    return 2;
                }

                if (order.Count == 0)
                {
                    await Console.Error.WriteLineAsync("error: no machine is up to deploy to");
                    return 2;
                }

                Console.WriteLine($"deploying {name} from {source} to {string.Join(", ", order)}");
                var plan = new DeployPlan(
                    source,
                    name,
                    order,
                    TimeSpan.FromSeconds(parse.GetValue(switchTimeout)),
                    TimeSpan.FromSeconds(parse.GetValue(healthTimeout)),
                    $"cli:{Environment.UserName}");
                var deploy = new RollingDeploy(store, app.Time, line => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{app.Time.GetUtcNow():HH:mm:ss} {line}")));
                return await deploy.RunAsync(plan, ct) ? 0 : 1;
            },
            ct));
        return command;
    }
}
