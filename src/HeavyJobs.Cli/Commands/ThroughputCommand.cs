using System.CommandLine;
using System.Globalization;
using HeavyJobs.Storage.Throughput;
using Spectre.Console;

namespace HeavyJobs.Cli.Commands;

internal static class ThroughputCommand
{
    public static Command Create(CliApp app)
    {
        var minutes = new Option<int>("--minutes") { Description = "How far back.", DefaultValueFactory = _ => 60 };
        var command = new Command("throughput", "Items and good/bad records per worker and job type, per minute.") { minutes };
        command.SetAction((parse, ct) => app.GuardAsync(
            parse,
            async store =>
            {
                var now = app.Time.GetUtcNow();
                var rows = await store.ThroughputListAsync(new ThroughputListParams(now.AddMinutes(-parse.GetValue(minutes)), now.AddMinutes(1)), ct);
                var table = new Table().AddColumns("Minute (UTC)", "Worker", "Type", "Stage", "Items", "Good", "Bad");
                foreach (var r in rows)
                {
                    table.AddRow(
                        r.Bucket.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                        r.WorkerId.ToString(CultureInfo.InvariantCulture),
                        Markup.Escape(r.Type),
                        r.Stage.ToString(CultureInfo.InvariantCulture),
                        r.Items.ToString("N0", CultureInfo.InvariantCulture),
                        r.Good.ToString("N0", CultureInfo.InvariantCulture),
                        r.Bad.ToString("N0", CultureInfo.InvariantCulture));
                }

                AnsiConsole.Write(table);
                return 0;
            },
            ct));
        return command;
    }
}
