using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using HeavyJobs.Core.Model;
using HeavyJobs.Runtime.Fleet;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Monitoring;
using HeavyJobs.Storage.Workers;
using Spectre.Console;

namespace HeavyJobs.Cli.Commands;

internal static class WorkersCommand
{
    public static Command Create(CliApp app) => new("workers", "See and steer worker processes: scale, ps, stop, terminate, restart, drain.")
    {
        Scale(app),
        Ps(app),
        OnWorker(app, CommandKinds.Stop, "Drain a worker: it checkpoints, gives its chunks back and exits (the monitor keeps the count by starting another)."),
        OnWorker(app, CommandKinds.Terminate, "Kill a worker's process group now; its chunks return at once with their last checkpoint."),
        OnWorker(app, CommandKinds.Restart, "Stop a worker and start a fresh one in its place."),
        Drain(app, drained: true),
        Drain(app, drained: false),
    };

    private static Command Scale(CliApp app)
    {
        var targets = new Argument<string[]>("TYPE=N")
        {
            Description = "How many workers of each type to run (TYPE=auto with --node hands that machine back to the fleet spread).",
            Arity = ArgumentArity.OneOrMore,
        };
        var node = new Option<string>("--node") { Description = "The machine (its count wins over the fleet spread).", DefaultValueFactory = _ => Environment.MachineName };
        var fleet = new Option<bool>("--fleet") { Description = "Over the whole fleet: the leading manager spreads the count over the machines that are up, by capacity." };
        var command = new Command("scale", "Set the number of workers of a type on a machine, or over the fleet; monitors converge within a second.") { targets, node, fleet };
        command.SetAction((parse, ct) => app.GuardAsync(
            parse,
            async store =>
            {
                var actor = $"cli:{Environment.UserName}";
                var machine = parse.GetValue(node)!;
                foreach (var t in parse.GetValue(targets)!)
                {
                    var parts = t.Split('=', 2);
                    try
                    {
                        if (parts.Length == 2 && parts[1] == "auto" && !parse.GetValue(fleet))
                        {
                            await FleetControl.UnpinAsync(store, store, machine, parts[0], actor, app.Time.GetUtcNow(), ct);
                            Console.WriteLine($"{machine}: {parts[0]} follows the fleet spread");
                            continue;
                        }

                        if (parts.Length != 2 || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var n) || n < 0 || n > FleetControl.MaxTarget)
                        {
                            throw new UserError($"'{t}' is not TYPE=N with N from 0 to {FleetControl.MaxTarget}");
                        }

                        if (parse.GetValue(fleet))
                        {
                            await FleetControl.ScaleFleetAsync(store, parts[0], n, actor, app.Time.GetUtcNow(), ct);
                            Console.WriteLine($"fleet: {parts[0]} = {n}");
                        }
                        else
                        {
                            await FleetControl.ScaleMachineAsync(store, store, machine, parts[0], n, actor, app.Time.GetUtcNow(), ct);
                            Console.WriteLine($"{machine}: {parts[0]} = {n}");
                        }
                    }
                    catch (FleetRequestException ex)
                    {
                        throw new UserError(ex.Message);
                    }
                }

                return 0;
            },
            ct));
        return command;
    }

    private static Command Ps(CliApp app)
    {
        var all = new Option<bool>("--all") { Description = "Include exited workers." };
        var json = new Option<bool>("--json");
        var node = new Option<string?>("--node");
        var command = new Command("ps", "Worker processes: pid, state, chunk, CPU, RSS, uptime, items/s, version, restarts.") { all, json, node };
        command.SetAction((parse, ct) => app.GuardAsync(
            parse,
            async store =>
            {
                var rows = await store.WorkerListAsync(new WorkerListParams(parse.GetValue(node), parse.GetValue(all)), ct);
                var targets = await store.WorkerTargetListAsync(parse.GetValue(node), ct);
                var now = app.Time.GetUtcNow();
                if (parse.GetValue(json))
                {
                    Console.WriteLine(JsonSerializer.Serialize(
                        new
                        {
                            workers = rows.Select(w => new
                            {
                                id = w.Id, node = w.Node, pid = w.Pid, types = w.Types, state = w.State.ToDb(), chunk = w.CurrentChunk,
                                cpuPercent = w.CpuPercent, rssBytes = w.RssBytes, uptimeSeconds = (long)((w.StoppedAt ?? now) - w.StartedAt).TotalSeconds,
                                itemsPerSecond = w.ItemsPerSecond, version = w.WorkerVersion ?? w.Version, monitorVersion = w.Version, restarts = w.Restarts, heartbeatAt = w.HeartbeatAt, exitReason = w.ExitReason,
                                stderrTail = w.StderrTail,
                            }),
                            targets = targets.Select(t => new { t.Node, t.Type, t.Count, t.CrashLooping, t.Note }),
                        },
                        new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
                    return 0;
                }

                var table = new Table().AddColumns("Id", "Node", "Pid", "Type", "State", "Chunk", "CPU %", "RSS MB", "Uptime", "Items/s", "Version", "Restarts", "Exit");
                foreach (var w in rows)
                {
                    table.AddRow(
                        w.Id.ToString(CultureInfo.InvariantCulture),
                        Markup.Escape(w.Node),
                        w.Pid.ToString(CultureInfo.InvariantCulture),
                        Markup.Escape(string.Join(",", w.Types)),
                        w.State.ToDb(),
                        w.CurrentChunk?.ToString(CultureInfo.InvariantCulture) ?? "-",
                        w.CpuPercent.ToString("0.0", CultureInfo.InvariantCulture),
                        (w.RssBytes / 1048576.0).ToString("0", CultureInfo.InvariantCulture),
                        ((w.StoppedAt ?? now) - w.StartedAt).ToString(@"d\.hh\:mm\:ss", CultureInfo.InvariantCulture),
                        w.ItemsPerSecond.ToString("0.#", CultureInfo.InvariantCulture),
                        Markup.Escape(VersionCell(w)),
                        w.Restarts.ToString(CultureInfo.InvariantCulture),
                        Markup.Escape(w.ExitReason ?? ""));
                }

                AnsiConsole.Write(table);
                foreach (var t in targets.Where(t => t.CrashLooping))
                {
                    AnsiConsole.MarkupLine($"[red]{Markup.Escape(t.Node)}: {Markup.Escape(t.Type)} is crash-looping[/]: {Markup.Escape(t.Note ?? "")}");
                }

                return 0;
            },
            ct));
        return command;
    }

    /// <summary>The worker's own version; the monitor's beside it when they differ, so a rolling deploy shows who runs what.</summary>
    private static string VersionCell(WorkerRow w) =>
        w.WorkerVersion is { } own && own != w.Version ? $"{own} (monitor {w.Version})" : w.WorkerVersion ?? w.Version;

    private static Command OnWorker(CliApp app, string kind, string description)
    {
        var id = new Argument<long>("worker");
        var command = new Command(kind, description) { id };
        command.SetAction((parse, ct) => app.GuardAsync(
            parse,
            async store =>
            {
                var workerId = parse.GetValue(id);
                var worker = (await store.WorkerListAsync(new WorkerListParams(), ct)).FirstOrDefault(w => w.Id == workerId)
                    ?? throw new UserError($"no live worker {workerId} (see heavyjobs workers ps)");
                var actor = $"cli:{Environment.UserName}";
                var now = app.Time.GetUtcNow();
                var log = new ActionInsertParams(actor, kind, $"{kind} requested from the command line", now, worker.Node, workerId, ChunkId: worker.CurrentChunk);
                await store.CommandInsertAsync(new CommandInsertParams(worker.Node, kind, workerId, actor, now, Log: log), ct);
                Console.WriteLine($"{kind} sent to worker {workerId} on {worker.Node}");
                return 0;
            },
            ct));
        return command;
    }

    private static Command Drain(CliApp app, bool drained)
    {
        var node = new Option<string>("--node") { DefaultValueFactory = _ => Environment.MachineName };
        var command = new Command(
            drained ? "drain" : "undrain",
            drained
                ? "Drain (cordon) a machine: its workers checkpoint and leave, none start there, its share of fleet targets goes to the others."
                : "Undrain a machine: it takes workers again.") { node };
        command.SetAction((parse, ct) => app.GuardAsync(
            parse,
            async store =>
            {
                var machine = parse.GetValue(node)!;
                try
                {
                    var changed = await FleetControl.DrainAsync(store, store, machine, drained, $"cli:{Environment.UserName}", app.Time.GetUtcNow(), ct);
                    Console.WriteLine($"{machine}: {(drained ? "drained" : "undrained")}{(changed ? "" : " already")}");
                    return 0;
                }
                catch (FleetRequestException ex)
                {
                    throw new UserError(ex.Message);
                }
            },
            ct));
        return command;
    }
}
