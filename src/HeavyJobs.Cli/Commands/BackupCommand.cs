using System.CommandLine;
using HeavyJobs.Storage.Postgres;
using HeavyJobs.Storage.Sqlite;

namespace HeavyJobs.Cli.Commands;

/// <summary><c>heavyjobs backup FILE</c>: a consistent copy while workers write (docs/operations.md says how to restore it).</summary>
internal static class BackupCommand
{
    public static Command Create(CliApp app)
    {
        var file = new Argument<string>("file") { Description = "Where the backup goes: a SQLite file, or a pg_dump archive (custom format) for PostgreSQL. Never overwritten." };
        var command = new Command("backup", "Copy the store while it runs: VACUUM INTO for SQLite, pg_dump for PostgreSQL.") { file };
        command.SetAction(async (parse, ct) =>
        {
            var db = parse.GetValue(app.Db)!;
            var target = parse.GetValue(file)!;
            try
            {
                if (StoreFactory.IsPostgres(db))
                {
                    await PostgresBackup.DumpAsync(db, target, ct);
                }
                else
                {
                    await SqliteBackup.ToFileAsync(db, target, ct);
                }

                Console.WriteLine($"{StoreFactory.Describe(db)}: backed up to {Path.GetFullPath(target)} ({new FileInfo(target).Length:N0} bytes)");
                return 0;
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or IOException or System.ComponentModel.Win32Exception)
            {
                await Console.Error.WriteLineAsync($"error: {StoreFactory.Describe(db)}: {ex.Message}");
                return 3;
            }
        });
        return command;
    }
}
