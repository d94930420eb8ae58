using System.CommandLine;
using System.Globalization;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Runtime.Manager;
using HeavyJobs.Storage.Schedules;
using Spectre.Console;

namespace HeavyJobs.Cli.Commands;

internal static class SchedulesCommand
{
    public static Command Create(CliApp app)
    {
        var list = new Command("list", "Every schedule with its next run.");
        list.SetAction((parse, ct) => app.GuardAsync(parse, async store =>
        {
            var table = new Table().AddColumns("Id", "Name", "Cron (UTC)", "Catch-up", "Next run (UTC)", "Last run", "Last job");
            foreach (var s in await store.ScheduleListAsync(ct))
            {
                table.AddRow(
                    s.Id.ToString(CultureInfo.InvariantCulture), Markup.Escape(s.Name), Markup.Escape(s.Cron), s.CatchUp,
                    s.NextRunAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                    s.LastRunAt?.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "-",
                    s.LastJobId?.ToString(CultureInfo.InvariantCulture) ?? "-");
            }

            AnsiConsole.Write(table);
            return 0;
        }, ct));

        var name = new Argument<string>("name");
        var cron = new Argument<string>("cron") { Description = "Five fields, UTC, e.g. \"0 3 * * *\"." };
        var file = new Argument<string>("file") { Description = "The job definition to submit each time (.json or .yaml)." };
        var catchUp = new Option<string>("--catch-up") { Description = "After downtime: once (run the missed work once) or skip.", DefaultValueFactory = _ => CatchUp.Once };
        catchUp.AcceptOnlyFromAmong(CatchUp.Once, CatchUp.SkipMissed);
        var add = new Command("add", "Add or replace a schedule: a cron expression and a job file.") { name, cron, file, catchUp };
        add.SetAction((parse, ct) => app.GuardAsync(parse, async store =>
        {
            var path = parse.GetValue(file)!;
            var definition = JobDefinitionParser.ParseFile(path, await File.ReadAllTextAsync(path, ct));
            // Stored as JSON so the manager re-reads it without the file; relative paths resolve against the file's folder.
            var json = System.Text.Json.JsonSerializer.Serialize(ToJson(definition, Path.GetDirectoryName(Path.GetFullPath(path))!));
            var id = await ScheduleRunner.UpsertAsync(store, parse.GetValue(name)!, parse.GetValue(cron)!, json, parse.GetValue(catchUp)!, app.Time.GetUtcNow(), ct);
            var next = ScheduleRunner.NextOccurrence(parse.GetValue(cron)!, app.Time.GetUtcNow());
            Console.WriteLine($"schedule {id} '{parse.GetValue(name)}': next run {next:yyyy-MM-dd HH:mm} UTC");
            return 0;
        }, ct));
        var root = new Command("schedules", "Recurring jobs by cron expression (the manager fires them).") { list, add };
        return root;
    }

    private static object ToJson(JobDefinition d, string baseDirectory) => new Dictionary<string, object?>
    {
        ["name"] = d.Name,
        ["stages"] = d.Stages.Select(s => new { name = s.Name, type = s.Type, mode = s.Mode.ToString().ToLowerInvariant() }),
        ["parameters"] = d.Parameters,
        ["priority"] = d.Priority,
        ["maxAttempts"] = d.MaxAttempts,
        ["split"] = d.Split switch
        {
            ChunkSplit.Range r => new { range = new { start = r.Start, end = r.End, size = r.Size } },
            ChunkSplit.Keys k => new { keys = new { items = k.Items, size = k.Size } },
            ChunkSplit.KeysFile f => (object)new { keysFile = new { path = Path.GetFullPath(f.Path, baseDirectory), size = f.Size } },
            ChunkSplit.FileSlices f => new { file = new { path = Path.GetFullPath(f.Path, baseDirectory), bytes = f.Bytes } },
            ChunkSplit.StaleKeys k => new { staleKeys = new { set = k.Set, olderThan = Durations.Format(k.OlderThan), size = k.Size, limit = k.Limit } },
            ChunkSplit.Inputs i => new { inputs = i.Items.Select(x => System.Text.Json.JsonDocument.Parse(x).RootElement) },
            _ => throw new ArgumentOutOfRangeException(nameof(d)),
        },
    };
}
