using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Workers;
using Spectre.Console;

namespace HeavyJobs.Cli.Commands;

/// <summary>The fleet at a glance: each machine's state, heartbeat, monitor, workers and drain, and which manager leads.</summary>
internal static class MachinesCommand
{
    public static Command Create(CliApp app)
    {
        var json = new Option<bool>("--json");
        var command = new Command("machines", "The fleet's machines (state, heartbeat, monitor, workers, drained) and the manager that leads.") { json };
        command.SetAction((parse, ct) => app.GuardAsync(
            parse,
            async store =>
            {
                var now = app.Time.GetUtcNow();
                var nodes = await store.NodeListAsync(ct);
                var workers = await store.WorkerListAsync(new WorkerListParams(), ct);
                var leader = await store.LeaderGetAsync(ct);
                var fleet = await store.FleetTargetListAsync(ct);
                int Count(string node, WorkerState state) => workers.Count(w => w.Node == node && w.State == state);
                if (parse.GetValue(json))
                {
                    Console.WriteLine(JsonSerializer.Serialize(
                        new
                        {
                            leader = new { leader.Epoch, leader.Holder, leader.Since },
                            fleetTargets = fleet.Select(f => new { f.Type, f.Count }),
                            machines = nodes.Select(n => new
                            {
                                n.Name, n.State, n.Drained, n.BootId, n.Pid, n.Host, n.Version, n.Capacity,
                                heartbeatAgeSeconds = Math.Round((now - n.HeartbeatAt).TotalSeconds, 1),
                                busy = Count(n.Name, WorkerState.Busy), idle = Count(n.Name, WorkerState.Idle), lost = Count(n.Name, WorkerState.Lost),
                            }),
                        },
                        new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
                    return 0;
                }

                Console.WriteLine(leader.Epoch == 0 ? "leader: none yet" : $"leader: {leader.Holder} (epoch {leader.Epoch}, since {leader.Since:u})");
                var table = new Table().AddColumns("Machine", "State", "Drained", "Heartbeat", "Monitor", "Boot", "Version", "Cores", "Busy", "Idle", "Lost");
                foreach (var n in nodes)
                {
                    table.AddRow(
                        Markup.Escape(n.Name),
                        n.State,
                        n.Drained ? "yes" : "",
                        $"{(now - n.HeartbeatAt).TotalSeconds:0.0} s ago",
                        Markup.Escape($"pid {n.Pid} on {n.Host}"),
                        Markup.Escape(n.BootId.Length > 8 ? n.BootId[..8] : n.BootId),
                        Markup.Escape(n.Version),
                        n.Capacity.ToString(CultureInfo.InvariantCulture),
                        Count(n.Name, WorkerState.Busy).ToString(CultureInfo.InvariantCulture),
                        Count(n.Name, WorkerState.Idle).ToString(CultureInfo.InvariantCulture),
                        Count(n.Name, WorkerState.Lost).ToString(CultureInfo.InvariantCulture));
                }

                AnsiConsole.Write(table);
                foreach (var f in fleet)
                {
                    Console.WriteLine($"fleet target: {f.Type} = {f.Count}");
                }

                return 0;
            },
            ct));
        return command;
    }
}
