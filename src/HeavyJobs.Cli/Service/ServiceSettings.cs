namespace HeavyJobs.Cli.Service;

/// <summary>How the roles of one machine are split into units.</summary>
public enum ServiceLayout
{
    /// <summary>One unit, <c>heavyjobs.service</c>, running every chosen role in one process (<c>heavyjobs serve</c>).</summary>
    One,

    /// <summary>A unit per role (<c>heavyjobs-manager</c>, <c>-monitor</c>, <c>-web</c>), grouped by <c>heavyjobs.target</c>.</summary>
    Split,
}

/// <summary>
/// What <c>heavyjobs service install</c> writes, decided once from its flags and this machine.
/// </summary>
/// <param name="Exec">The command that starts this same heavyjobs (the apphost, or dotnet and the dll).</param>
/// <param name="Roles">Among manager, monitor and web.</param>
/// <param name="RoleArgs">Flags passed through to the roles' commands (--external to the monitor, --urls to the dashboard …), by role.</param>
/// <param name="Db">The store every unit uses, written to the environment file.</param>
/// <param name="DotnetRoot">Where the .NET runtime is, for an apphost started without a login shell's PATH; null when unknown.</param>
/// <param name="SystemdVersion">The version of the systemd that will read the units; settings it does not know are left out.</param>
public sealed record ServiceSettings(
    IReadOnlyList<string> Exec,
    ServiceLayout Layout,
    IReadOnlyList<string> Roles,
    IReadOnlyDictionary<string, IReadOnlyList<string>> RoleArgs,
    string Db,
    string User,
    string UnitDir,
    string EnvFile,
    string? DotnetRoot,
    int SystemdVersion,
    bool Zabbix,
    string ZabbixDir)
{
    public const string DefaultUser = "heavyjobs";
    public const string DefaultUnitDir = "/etc/systemd/system";
    public const string DefaultEnvFile = "/etc/heavyjobs/heavyjobs.env";
    public const string DefaultZabbixDir = "/etc/zabbix/zabbix_agent2.d";
    public const string StateDir = "/var/lib/heavyjobs";

    /// <summary>The environment file the Zabbix agent's user may read: the store alone, no other secret.</summary>
    public string ZabbixEnvFile => Path.Combine(Path.GetDirectoryName(EnvFile) ?? "/etc/heavyjobs", "zabbix.env");
}

/// <summary>One file to write, with its mode.</summary>
public sealed record PlannedFile(string Path, string Content, UnixFileMode Mode, string Why);
