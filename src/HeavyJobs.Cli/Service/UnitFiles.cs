using System.Globalization;
using System.Text;
using HeavyJobs.Runtime.Hosting;
using Npgsql;

namespace HeavyJobs.Cli.Service;

/// <summary>
/// The systemd units for a machine's roles, and the files beside them. Every unit is <c>Type=notify</c> (ready once the
/// store is reachable and migrated), pinged by a watchdog, restarted on failure with a back-off, stopped by draining
/// its workers before anything is killed, and run as a dedicated system user with its settings in an environment file.
/// </summary>
public static class UnitFiles
{
    public const string Target = "heavyjobs.target";

    /// <summary>Half of it is the ping period; the store must answer a small read within that.</summary>
    public static readonly TimeSpan WatchdogSec = TimeSpan.FromSeconds(60);

    /// <summary>A machine's monitor drains its workers within <see cref="HeavyJobsBuilder.DrainBound"/>; systemd's kill comes only after that.</summary>
    public static readonly TimeSpan StopTimeout = HeavyJobsBuilder.DrainBound + TimeSpan.FromSeconds(30);

    /// <summary>Migrations of a large store may take minutes, and readiness waits for them.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(15);

    /// <summary>RestartSteps= and RestartMaxDelaySec= (a growing delay between restarts) came with systemd 254.</summary>
    public const int RestartStepsSince = 254;

    /// <summary>Exit code 2 is a setting to fix or a schema newer than this build: restarting cannot help.</summary>
    public const int ConfigurationExitCode = 2;

    public static string UnitName(ServiceSettings s, string role) => s.Layout == ServiceLayout.One ? "heavyjobs.service" : $"heavyjobs-{role}.service";

    /// <summary>The units this layout starts (the target's members, or the one unit).</summary>
    public static IReadOnlyList<string> Units(ServiceSettings s) =>
        s.Layout == ServiceLayout.One ? ["heavyjobs.service"] : [.. s.Roles.Select(r => UnitName(s, r))];

    public static IReadOnlyList<PlannedFile> Plan(ServiceSettings s)
    {
        var files = new List<PlannedFile>();
        if (s.Layout == ServiceLayout.One)
        {
            var args = new List<string>(s.Exec) { "serve", "--roles", string.Join(',', s.Roles) };
            args.AddRange(s.Roles.SelectMany(r => s.RoleArgs.TryGetValue(r, out var extra) ? extra : []));
            files.Add(Unit(s, "heavyjobs.service", $"HeavyJobs: {string.Join(", ", s.Roles)}", args, partOfTarget: false));
        }
        else
        {
            foreach (var role in s.Roles)
            {
                var args = new List<string>(s.Exec) { role };
                args.AddRange(s.RoleArgs.TryGetValue(role, out var extra) ? extra : []);
                files.Add(Unit(s, UnitName(s, role), $"HeavyJobs {role}", args, partOfTarget: true));
            }

            files.Add(new PlannedFile(
                Path.Combine(s.UnitDir, Target),
                $"""
                [Unit]
                Description=HeavyJobs: every role of this machine ({string.Join(", ", s.Roles)})
                Wants={string.Join(' ', Units(s))}

                [Install]
                WantedBy=multi-user.target

                """,
                SystemdText.Mode("644"),
                "starts and stops the role units together"));
        }

        files.Add(new PlannedFile(s.EnvFile, EnvFile(s), SystemdText.Mode("600"), "settings and secrets, read by systemd as root"));
        if (s.Zabbix)
        {
            files.AddRange(ZabbixFiles.Plan(s));
        }

        return files;
    }

    /// <summary>Whether the store is a PostgreSQL on this machine, which the units must start after.</summary>
    public static bool IsLocalPostgres(string db)
    {
        if (!StoreFactory.IsPostgres(db))
        {
            return false;
        }

        var host = new NpgsqlConnectionStringBuilder(db).Host ?? "";
        return host.Split(',').Select(h => h.Trim()).Any(h =>
            h.Length == 0 || h.StartsWith('/') || h is "localhost" or "::1" or "[::1]" || h.StartsWith("127.", StringComparison.Ordinal));
    }

    /// <summary>
    /// The start guard's command when this heavyjobs runs from an install root's <c>current</c>: the same command
    /// through <c>previous</c>, as <c>service guard --root</c>. Null outside an install root (nothing to switch).
    /// </summary>
    public static IReadOnlyList<string>? StartGuard(IReadOnlyList<string> exec)
    {
        var root = exec.Select(part => new FileInfo(part).Directory is { Name: "current", Parent: { } r } ? r.FullName : null).FirstOrDefault(r => r is not null);
        if (root is null)
        {
            return null;
        }

        var current = Path.Combine(root, "current") + "/";
        var previous = Path.Combine(root, "previous") + "/";
        return [.. exec.Select(part => part.StartsWith(current, StringComparison.Ordinal) ? previous + part[current.Length..] : part), "service", "guard", "--root", root];
    }

    private static PlannedFile Unit(ServiceSettings s, string name, string description, IEnumerable<string> exec, bool partOfTarget)
    {
        var after = new List<string> { "network-online.target" };
        if (IsLocalPostgres(s.Db))
        {
            after.Add("postgresql.service");
        }

        var text = new StringBuilder();
        text.AppendLine("[Unit]")
            .AppendLine(CultureInfo.InvariantCulture, $"Description={description}")
            .AppendLine(CultureInfo.InvariantCulture, $"After={string.Join(' ', after)}")
            .AppendLine(CultureInfo.InvariantCulture, $"Wants={string.Join(' ', after)}")
            // Never give up: after a long database outage, a machine must come back by itself.
            .AppendLine("StartLimitIntervalSec=0");
        if (partOfTarget)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"PartOf={Target}");
        }

        text.AppendLine()
            .AppendLine("[Service]")
            .AppendLine("Type=notify")
            .AppendLine("NotifyAccess=main")
            .AppendLine(CultureInfo.InvariantCulture, $"ExecStart={SystemdText.Command(exec)}");
        if (StartGuard(s.Exec) is { } guard)
        {
            // From the build a deploy replaced, before every start: it still runs when the new build cannot.
            // "-": no previous build yet (the first install) or a guard that fails never keeps the unit down.
            text.AppendLine(CultureInfo.InvariantCulture, $"ExecStartPre=-{SystemdText.Command(guard)}");
        }

        text
            .AppendLine(CultureInfo.InvariantCulture, $"EnvironmentFile={s.EnvFile}");
        if (s.DotnetRoot is { } root)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Environment={SystemdText.Arg("DOTNET_ROOT=" + root)}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"User={s.User}")
            .AppendLine(CultureInfo.InvariantCulture, $"Group={s.User}")
            .AppendLine("StateDirectory=heavyjobs")
            .AppendLine("StateDirectoryMode=0750")
            .AppendLine(CultureInfo.InvariantCulture, $"WorkingDirectory={ServiceSettings.StateDir}")
            .AppendLine(CultureInfo.InvariantCulture, $"TimeoutStartSec={Seconds(StartTimeout)}")
            .AppendLine(CultureInfo.InvariantCulture, $"WatchdogSec={Seconds(WatchdogSec)}")
            // SIGTERM to the main process alone: the monitor drains its workers (checkpoint, give back, exit) in its
            // own order; whatever is left of the unit's processes is killed only when the stop timeout runs out.
            .AppendLine("KillMode=mixed")
            .AppendLine("KillSignal=SIGTERM")
            .AppendLine(CultureInfo.InvariantCulture, $"TimeoutStopSec={Seconds(StopTimeout)}")
            .AppendLine("Restart=on-failure")
            .AppendLine(CultureInfo.InvariantCulture, $"RestartPreventExitStatus={ConfigurationExitCode}");
        if (s.SystemdVersion >= RestartStepsSince)
        {
            text.AppendLine("RestartSec=2s").AppendLine("RestartSteps=6").AppendLine("RestartMaxDelaySec=5min");
        }
        else
        {
            // No growing delay before systemd 254: a fixed one, long enough not to hammer a database that is down.
            text.AppendLine("RestartSec=15s");
        }

        text.AppendLine("NoNewPrivileges=yes")
            .AppendLine("ProtectSystem=full")
            .AppendLine("PrivateTmp=yes")
            .AppendLine()
            .AppendLine("[Install]")
            .AppendLine(CultureInfo.InvariantCulture, $"WantedBy={(partOfTarget ? Target : "multi-user.target")}");
        return new PlannedFile(Path.Combine(s.UnitDir, name), text.ToString(), SystemdText.Mode("644"), description);
    }

    private static string EnvFile(ServiceSettings s) =>
        $"""
        # HeavyJobs services' settings and secrets (mode 0600; systemd reads it as root before starting the units).
        # Any option in the HeavyJobs__Section__Name form works here, e.g. HeavyJobs__Monitor__StopGrace=00:00:30.
        {SystemdText.EnvLine("HEAVYJOBS_DB", s.Db)}

        """;

    private static string Seconds(TimeSpan t) => ((long)t.TotalSeconds).ToString(CultureInfo.InvariantCulture);
}
