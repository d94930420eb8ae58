using System.CommandLine;
using System.Globalization;
using HeavyJobs.Storage.Actions;
using Spectre.Console;

namespace HeavyJobs.Cli.Commands;

internal static class ActionsCommand
{
    public static Command Create(CliApp app)
    {
        var limit = new Option<int>("--limit") { DefaultValueFactory = _ => 50 };
        var kind = new Option<string?>("--kind") { Description = "Only this kind (start, stop, kill, restart, reclaim, reset, …)." };
        var worker = new Option<long?>("--worker");
        var chunk = new Option<long?>("--chunk");
        var command = new Command("actions", "The action log: what the system did by itself and what operators did.") { limit, kind, worker, chunk };
        command.SetAction((parse, ct) => app.GuardAsync(
            parse,
            async store =>
            {
                var rows = await store.ActionListAsync(
                    new ActionListParams(parse.GetValue(limit), Kind: parse.GetValue(kind), WorkerId: parse.GetValue(worker), ChunkId: parse.GetValue(chunk)),
                    ct);
                var table = new Table().AddColumns("Id", "At (UTC)", "Actor", "Kind", "Node", "Worker", "Job", "Chunk", "Reason");
                foreach (var a in rows)
                {
                    table.AddRow(
                        a.Id.ToString(CultureInfo.InvariantCulture),
                        a.At.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                        Markup.Escape(a.Actor),
                        Markup.Escape(a.Kind),
                        Markup.Escape(a.Node ?? ""),
                        a.WorkerId?.ToString(CultureInfo.InvariantCulture) ?? "",
                        a.JobId?.ToString(CultureInfo.InvariantCulture) ?? "",
                        a.ChunkId?.ToString(CultureInfo.InvariantCulture) ?? "",
                        Markup.Escape(a.Reason));
                }

                AnsiConsole.Write(table);
                return 0;
            },
            ct));
        return command;
    }
}
