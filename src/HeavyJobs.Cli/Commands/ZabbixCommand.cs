using System.CommandLine;
using System.Globalization;
using HeavyJobs.Cli.Service;
using HeavyJobs.Storage;

namespace HeavyJobs.Cli.Commands;

/// <summary>
/// The values a Zabbix agent's UserParameter reads (<see cref="ZabbixFiles"/>): one number, or discovery JSON, on
/// stdout. It only reads: it never migrates the store, so a monitoring account with read rights is enough.
/// </summary>
internal static class ZabbixCommand
{
    public static Command Create(CliApp app)
    {
        var envFile = new Option<string?>("--env-file")
        {
            Description = "Read HEAVYJOBS_DB from this environment file (what service install --zabbix writes), as the agent's user has no other settings.",
            Recursive = true,
        };
        var state = new Argument<string>("state") { Description = "busy, idle or all." };
        var node = new Argument<string?>("machine") { Description = "One machine (empty: every one).", Arity = ArgumentArity.ZeroOrOne };
        var type = new Argument<string?>("type") { Description = "One job type (empty: every one).", Arity = ArgumentArity.ZeroOrOne };
        var workers = new Command("workers", "Live workers in a state, per machine and type when given.") { state, node, type };
        workers.SetAction((parse, ct) => ValueAsync(app, parse, envFile, async store =>
            (await ZabbixItems.WorkersAsync(store, parse.GetValue(state)!, parse.GetValue(node), parse.GetValue(type), ct)).ToString(CultureInfo.InvariantCulture), ct));

        var backlogType = new Argument<string?>("type") { Description = "One job type (empty: every one).", Arity = ArgumentArity.ZeroOrOne };
        var backlog = new Command("backlog", "Chunks of active jobs waiting to run.") { backlogType };
        backlog.SetAction((parse, ct) => ValueAsync(app, parse, envFile, async store =>
            (await ZabbixItems.BacklogAsync(store, parse.GetValue(backlogType), ct)).ToString(CultureInfo.InvariantCulture), ct));

        var up = new Command("machines-up", $"Machines whose monitor wrote its row in the last {ZabbixItems.MachineUpWithin.TotalSeconds:0} s.");
        up.SetAction((parse, ct) => ValueAsync(app, parse, envFile, async store =>
            (await ZabbixItems.MachinesUpAsync(store, app.Time.GetUtcNow(), ct)).ToString(CultureInfo.InvariantCulture), ct));

        var discovery = new Command("discovery", "Low-level discovery JSON: every machine and job type with a target or a live worker ({#NODE}, {#TYPE}).");
        discovery.SetAction((parse, ct) => ValueAsync(app, parse, envFile, store => ZabbixItems.DiscoveryAsync(store, ct), ct));

        return new Command("zabbix", "Values for a Zabbix agent's UserParameter items (see service install --zabbix and docs/operations.md).")
        {
            envFile, workers, backlog, up, discovery,
        };
    }

    private static async Task<int> ValueAsync(CliApp app, ParseResult parse, Option<string?> envFile, Func<IDashboardStore, Task<string>> read, CancellationToken ct)
    {
        try
        {
            var db = parse.GetValue(envFile) is { } file
                ? SystemdText.ReadEnv(await File.ReadAllTextAsync(file, ct)).GetValueOrDefault("HEAVYJOBS_DB") ?? throw new UserError($"{file} sets no HEAVYJOBS_DB")
                : parse.GetValue(app.Db)!;
            await using var store = StoreFactory.Open(db, app.Time);
            Console.WriteLine(await read(store));
            return 0;
        }
        catch (Exception ex) when (ex is UserError or IOException or UnauthorizedAccessException or System.Data.Common.DbException or InvalidOperationException)
        {
            // The agent shows stderr as the item's error, and the item becomes unsupported until it answers again.
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            return 1;
        }
    }
}
