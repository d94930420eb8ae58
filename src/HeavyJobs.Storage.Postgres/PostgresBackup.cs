using System.Diagnostics;
using Npgsql;

namespace HeavyJobs.Storage.Postgres;

/// <summary>
/// A logical backup of a PostgreSQL store with the server's own tools: <c>pg_dump</c> in its custom format (one
/// consistent snapshot, taken while workers write) and <c>pg_restore</c> into an empty database.
/// </summary>
public static class PostgresBackup
{
    public static Task DumpAsync(string connectionString, string targetPath, CancellationToken cancellationToken) =>
        RunAsync("pg_dump", connectionString, ["--format=custom", "--no-owner", $"--file={Path.GetFullPath(targetPath)}"], cancellationToken);

    public static Task RestoreAsync(string connectionString, string dumpPath, CancellationToken cancellationToken) =>
        RunAsync("pg_restore", connectionString, ["--no-owner", "--exit-on-error", Path.GetFullPath(dumpPath)], cancellationToken);

    private static async Task RunAsync(string tool, string connectionString, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var cs = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add($"--host={cs.Host}");
        start.ArgumentList.Add($"--port={cs.Port}");
        start.ArgumentList.Add($"--username={cs.Username}");
        start.ArgumentList.Add($"--dbname={cs.Database}");
        if (!string.IsNullOrEmpty(cs.SearchPath) && tool == "pg_dump")
        {
            start.ArgumentList.Add($"--schema={cs.SearchPath}");
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // The password through the environment, never on a command line that ps shows.
        start.Environment["PGPASSWORD"] = cs.Password ?? "";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
        var errors = await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new IOException($"{tool} exited with {process.ExitCode}: {errors.Trim()}");
        }
    }
}
