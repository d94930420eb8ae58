namespace HeavyJobs.Cli.Service;

/// <summary>
/// The Zabbix agent's UserParameter file for HeavyJobs' items, and the environment file it reads the store from
/// (readable by the agent's group: the store's connection string and nothing else).
/// </summary>
public static class ZabbixFiles
{
    public const string ConfName = "heavyjobs.conf";

    /// <summary>The item keys and the <c>heavyjobs zabbix</c> arguments each runs; $1… are the key's parameters.</summary>
    public static readonly IReadOnlyList<(string Key, string Args)> Items =
    [
        ("heavyjobs.workers[*]", "workers \"$1\" \"$2\" \"$3\""),
        ("heavyjobs.backlog[*]", "backlog \"$1\""),
        ("heavyjobs.machines.up", "machines-up"),
        ("heavyjobs.discovery", "discovery"),
    ];

    public static IReadOnlyList<PlannedFile> Plan(ServiceSettings s) =>
    [
        new(Path.Combine(s.ZabbixDir, ConfName), UserParameters(s.Exec, s.ZabbixEnvFile), SystemdText.Mode("644"), "the Zabbix agent's HeavyJobs items"),
        new(s.ZabbixEnvFile, $"# The store HeavyJobs' Zabbix items read (mode 0640, group zabbix). A read-only database role is enough.\n{SystemdText.EnvLine("HEAVYJOBS_DB", s.Db)}\n", SystemdText.Mode("640"), "the store for the Zabbix items"),
    ];

    public static string UserParameters(IReadOnlyList<string> exec, string envFile)
    {
        var command = string.Join(' ', exec.Select(SystemdText.Shell)) + " zabbix --env-file " + SystemdText.Shell(envFile);
        return "# HeavyJobs items for the Zabbix agent (heavyjobs service install --zabbix); docs/operations.md lists them and\n"
            + "# suggests triggers. heavyjobs.workers[busy|idle|all,<machine>,<type>] (empty = every), heavyjobs.backlog[<type>],\n"
            + "# heavyjobs.machines.up, and heavyjobs.discovery for low-level discovery of {#NODE} and {#TYPE}.\n"
            + string.Concat(Items.Select(i => $"UserParameter={i.Key},{command} {i.Args}\n"));
    }
}
