using System.CommandLine;
using HeavyJobs.Storage.Faults;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Cli.Commands;

internal static class MigrateCommand
{
    public static Command Create(CliApp app)
    {
        var command = new Command("migrate", "Create or upgrade the schema (safe to run from several processes at once).");
        command.SetAction(async (parse, ct) =>
        {
            using var logging = CliApp.Loggers(LogLevel.Warning);
            try
            {
                await using var store = StoreFactory.Open(parse.GetValue(app.Db)!, app.Time, logging.CreateLogger("heavyjobs"));
                var result = await store.MigrateAsync(ct);
                Console.WriteLine(result.Applied.Count == 0
                    ? $"{StoreFactory.Describe(parse.GetValue(app.Db)!)}: schema is at version {result.ToVersion}; nothing to do."
                    : $"{StoreFactory.Describe(parse.GetValue(app.Db)!)}: applied {string.Join(", ", result.Applied)}; schema is at version {result.ToVersion}.");
                return 0;
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or ArgumentException or IOException)
            {
                await Console.Error.WriteLineAsync($"error: {StoreFactory.Describe(parse.GetValue(app.Db)!)}: {StoreErrorText.WithCauses(ex)}");
                return 3;
            }
        });
        return command;
    }
}
