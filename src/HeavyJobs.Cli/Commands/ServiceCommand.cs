using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using HeavyJobs.Cli.Service;
using HeavyJobs.Runtime.Hosting;

namespace HeavyJobs.Cli.Commands;

/// <summary><c>heavyjobs service install|uninstall</c>: systemd units for the roles this machine runs (docs/operations.md).</summary>
internal static class ServiceCommand
{
    public static Command Create(CliApp app)
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the files and commands instead of writing and running them.", Recursive = true };
        var root = new Option<string?>("--root") { Description = "Write the files under this folder instead of /, and run nothing (no user, no systemctl).", Recursive = true };
        var unitDir = new Option<string>("--unit-dir") { DefaultValueFactory = _ => ServiceSettings.DefaultUnitDir, Recursive = true };
        var envFile = new Option<string>("--env-file") { Description = "The environment file of settings and secrets (mode 0600).", DefaultValueFactory = _ => ServiceSettings.DefaultEnvFile, Recursive = true };
        var zabbixDir = new Option<string>("--zabbix-dir") { DefaultValueFactory = _ => ServiceSettings.DefaultZabbixDir, Recursive = true };
        var layout = new Option<string>("--layout") { Description = "one: every role in heavyjobs.service; split: a unit per role under heavyjobs.target.", DefaultValueFactory = _ => "one" };
        layout.AcceptOnlyFromAmong("one", "split");
        var roles = new Option<string>("--roles") { Description = "The roles this machine runs: manager, monitor, web, separated by ','.", DefaultValueFactory = _ => string.Join(',', ServeCommand.AllRoles) };
        var user = new Option<string>("--user") { Description = "The system user the services run as (created if missing).", DefaultValueFactory = _ => ServiceSettings.DefaultUser };
        var zabbix = new Option<bool>("--zabbix") { Description = "Also write the Zabbix agent's UserParameter file for HeavyJobs' items." };
        var noStart = new Option<bool>("--no-start") { Description = "Enable the units without starting them now." };
        var external = new Option<string[]>("--external") { Description = "Passed to the monitor: TYPE=COMMAND (repeatable)." };
        var urls = new Option<string?>("--urls") { Description = "Passed to the dashboard." };
        var users = new Option<string?>("--users") { Description = "Passed to the dashboard: its users file." };
        var allowedHosts = new Option<string?>("--allowed-hosts") { Description = "Passed to the dashboard." };

        var install = new Command("install", "Write and enable systemd units (Type=notify, watchdog, restart with back-off, drain on stop) for this machine's roles.")
        {
            layout, roles, user, zabbix, noStart, external, urls, users, allowedHosts,
        };
        install.SetAction(async (parse, ct) =>
        {
            try
            {
                var passed = new Dictionary<string, IReadOnlyList<string>>
                {
                    [ServeCommand.Monitor] = [.. (parse.GetValue(external) ?? []).SelectMany(e => new[] { "--external", e })],
                    [ServeCommand.Web] = [.. Flag("--urls", parse.GetValue(urls)), .. Flag("--users", parse.GetValue(users)), .. Flag("--allowed-hosts", parse.GetValue(allowedHosts))],
                };
                var settings = new ServiceSettings(
                    // Installed under an install root, the units start whatever its current names, so a deploy moves them.
                    Runtime.Fleet.InstallRoot.ThroughCurrent(SelfCommand.Current),
                    parse.GetValue(layout) == "split" ? ServiceLayout.Split : ServiceLayout.One,
                    [.. ServeCommand.AllRoles.Where(ServeCommand.Parse(parse.GetValue(roles)!).Contains)],
                    passed,
                    ServiceDb(parse.GetValue(app.Db)!),
                    parse.GetValue(user)!,
                    parse.GetValue(unitDir)!,
                    parse.GetValue(envFile)!,
                    DotnetRoot(),
                    await SystemdVersionAsync(ct),
                    parse.GetValue(zabbix),
                    parse.GetValue(zabbixDir)!);
                return await new ServiceInstaller(Console.Out, parse.GetValue(dryRun), parse.GetValue(root)).InstallAsync(settings, !parse.GetValue(noStart), ct);
            }
            catch (UserError ex)
            {
                await Console.Error.WriteLineAsync($"error: {ex.Message}");
                return 2;
            }
        });

        var uninstall = new Command("uninstall", "Stop, disable and remove the units (and the Zabbix file); the settings, the data and the user are kept.");
        uninstall.SetAction(async (parse, ct) =>
        {
            var settings = new ServiceSettings(
                SelfCommand.Current, ServiceLayout.One, [], new Dictionary<string, IReadOnlyList<string>>(), "", ServiceSettings.DefaultUser,
                parse.GetValue(unitDir)!, parse.GetValue(envFile)!, null, 0, false, parse.GetValue(zabbixDir)!);
            try
            {
                return await new ServiceInstaller(Console.Out, parse.GetValue(dryRun), parse.GetValue(root)).UninstallAsync(settings, ct);
            }
            catch (UserError ex)
            {
                await Console.Error.WriteLineAsync($"error: {ex.Message}");
                return 2;
            }
        });

        return new Command("service", "Run HeavyJobs as systemd services that start on boot: install, uninstall, and the start guard the units run.")
        {
            dryRun, root, unitDir, envFile, zabbixDir, install, uninstall, StartGuardCommand.Create(),
        };
    }

    /// <summary>The store for the services: a SQLite path made absolute (the default one goes to the state folder).</summary>
    private static string ServiceDb(string db) =>
        StoreFactory.IsPostgres(db) ? db
        : db == StoreFactory.DefaultPath ? Path.Combine(ServiceSettings.StateDir, StoreFactory.DefaultPath)
        : Path.GetFullPath(db);

    private static IEnumerable<string> Flag(string name, string? value) => value is null ? [] : [name, value];

    /// <summary>The .NET root this process runs on (…/shared/Microsoft.NETCore.App/10.0.x/ is three levels below it).</summary>
    private static string? DotnetRoot() =>
        new DirectoryInfo(RuntimeEnvironment.GetRuntimeDirectory()).Parent?.Parent?.Parent?.FullName is { } root && File.Exists(Path.Combine(root, "dotnet"))
            ? root
            : null;

    /// <summary>The installed systemd's version ("systemd 252 (252.39-1)"), or 0 when it cannot be asked.</summary>
    private static async Task<int> SystemdVersionAsync(CancellationToken ct)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("systemctl", ["--version"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var first = (await process.StandardOutput.ReadToEndAsync(ct)).Split('\n')[0].Split(' ');
            await process.WaitForExitAsync(ct);
            return first.Length > 1 && int.TryParse(first[1], CultureInfo.InvariantCulture, out var version) ? version : 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return 0;
        }
    }
}
