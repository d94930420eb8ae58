using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using HeavyJobs.Bench.Scenarios;
using Npgsql;

namespace HeavyJobs.Bench;

/// <summary>One invocation: every scenario and baseline, then bench/results/latest.{json,md,png}.</summary>
internal static class Harness
{
    public static async Task<int> RunAsync(string[] argv)
    {
        var args = Args.Parse(argv);
        var quick = !args.Flag("full");
        var root = FindRoot();
        var output = Path.GetFullPath(args.Get("out", Path.Combine(root, "bench", "results")));
        var only = args.Get("only").Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var cli = args.Get("cli", Path.Combine(root, "src", "HeavyJobs.Cli", "bin", "Release", "net10.0", "heavyjobs.dll"));
        var work = Directory.CreateTempSubdirectory("heavyjobs-bench-").FullName;
        var results = new Results();
        var pg = await BenchDatabaseAsync(args.Get("pg", Environment.GetEnvironmentVariable("HEAVYJOBS_TEST_POSTGRES") ?? ""));
        var ctx = new BenchContext(quick, pg, work, cli, results) { HasStatements = await StatementsAsync(pg, results) };
        var header = await MachineAsync(pg, quick);
        var watch = Stopwatch.StartNew();
        Console.WriteLine($"HeavyJobs bench ({(quick ? "quick" : "full")}), results to {output}");

        (string Name, Func<Task> Run)[] scenarios =
        [
            ("pgbench", () => BaselineScenarios.PgbenchAsync(ctx)),
            ("ceiling_pg", () => BurndownScenario.CeilingAsync(ctx, "pg")),
            ("burndown_pg", () => BurndownScenario.RunAsync(ctx, "pg")),
            ("hangfire_pg", () => BaselineScenarios.HangfireAsync(ctx, "postgres")),
            ("hangfire_memory", () => BaselineScenarios.HangfireAsync(ctx, "memory")),
            ("ceiling_sqlite", () => BurndownScenario.CeilingAsync(ctx, "sqlite")),
            ("burndown_sqlite", () => BurndownScenario.RunAsync(ctx, "sqlite")),
            ("pickup_pg", () => PickupScenario.RunAsync(ctx, "pg")),
            ("pickup_sqlite", () => PickupScenario.RunAsync(ctx, "sqlite")),
            ("idle", () => FleetScenarios.IdleAsync(ctx)),
            ("idle_sqlite", () => FleetScenarios.IdleAsync(ctx, "sqlite")),
            ("overhead_pg", () => OverheadScenario.RunAsync(ctx, "pg")),
            ("overhead_sqlite", () => OverheadScenario.RunAsync(ctx, "sqlite")),
            ("recovery", () => FleetScenarios.RecoveryAsync(ctx)),
            ("recovery_machine", () => MachineScenarios.MachineRecoveryAsync(ctx)),
            ("fleet_burndown", () => MachineScenarios.BurndownAsync(ctx)),
            // 80 worker processes take minutes to start on a 2-core machine: the full run only, or --only fleet_conns.
            ("fleet_conns", () => ctx.Quick && !only.Contains("fleet_conns") ? Task.CompletedTask : ConnectionsScenario.RunAsync(ctx)),
            ("dashboard", () => DashboardScenario.RunAsync(ctx)),
            ("whois_parse", () => WhoisParseScenario.RunAsync(ctx)),
            ("pilot_fetch", () => PilotFetchScenario.RunAsync(ctx)),
            ("pilot_growth", () => PilotGrowthScenario.RunAsync(ctx)),
            ("worker_start", () => WorkerStartScenario.RunAsync(ctx)),
            // Publishing trimmed and native AOT takes minutes (AOT about ten on two cores): the full run only, or --only worker_builds.
            ("worker_builds", () => ctx.Quick && !only.Contains("worker_builds") ? Task.CompletedTask : WorkerBuildsScenario.RunAsync(ctx)),
            ("prune_pg", () => PruneScenario.RunAsync(ctx, "pg")),
            ("prune_sqlite", () => PruneScenario.RunAsync(ctx, "sqlite")),
            ("burndown_outputs_pg", () => OutputsScenario.RunAsync(ctx, "pg")),
            ("burndown_outputs_sqlite", () => OutputsScenario.RunAsync(ctx, "sqlite")),
            ("scale_pg", () => ScaleScenario.RunAsync(ctx, "pg")),
            ("scale_sqlite", () => ScaleScenario.RunAsync(ctx, "sqlite")),
        ];
        foreach (var (name, run) in scenarios.Where(s => only.Count == 0 || only.Contains(s.Name)))
        {
            Console.WriteLine($"[{watch.Elapsed:mm\\:ss}] {name}");
            try
            {
                await run();
            }
            catch (Exception ex)
            {
                results.Note($"scenario {name} failed: {ex.GetType().Name}: {ex.Message.Split('\n')[0]}");
                // The whole trace on the console: the note keeps one line, the reader of the log needs where.
                await Console.Error.WriteLineAsync($"  {name}: {ex}");
            }
        }

        Targets.DeriveRatios(results);
        header["duration_s"] = Math.Round(watch.Elapsed.TotalSeconds);
        header["load_after"] = LoadAverage();
        Directory.CreateDirectory(output);
        var json = results.ToJson(header);
        await File.WriteAllTextAsync(Path.Combine(output, "latest.json"), json.ToJsonString(Results.Indented) + "\n");
        await File.WriteAllTextAsync(Path.Combine(output, "latest.md"), Report.Markdown(results, header));
        Report.Chart(results, Path.Combine(output, "latest.png"));
        Directory.Delete(work, recursive: true);
        Console.WriteLine($"done in {watch.Elapsed:mm\\:ss}: {Path.Combine(output, "latest.md")}");
        return 0;
    }

    /// <summary>The bench's own database on the tests' server (created if missing), so its statistics are its own.</summary>
    private static async Task<string> BenchDatabaseAsync(string connectionString)
    {
        if (connectionString.Length == 0)
        {
            throw new InvalidOperationException("No PostgreSQL: pass --pg or set HEAVYJOBS_TEST_POSTGRES (./bench.sh does).");
        }

        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.Database != "heavyjobs_bench")
        {
            if (await Sql.ScalarAsync(connectionString, "SELECT count(*) FROM pg_database WHERE datname = 'heavyjobs_bench'") == 0)
            {
                await Sql.ExecAsync(connectionString, "CREATE DATABASE heavyjobs_bench");
            }

            builder.Database = "heavyjobs_bench";
        }

        return builder.ToString();
    }

    private static async Task<bool> StatementsAsync(string pg, Results results)
    {
        try
        {
            await Sql.ExecAsync(pg, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            await Sql.ScalarAsync(pg, "SELECT count(*) FROM pg_stat_statements");
            results.Note("statements are counted by pg_stat_statements (track_utility on: BEGIN and COMMIT count as statements); commits by pg_stat_database.xact_commit; both for the bench database only");
            return true;
        }
        catch (PostgresException ex)
        {
            results.Note($"pg_stat_statements is not loaded ({ex.MessageText}): statement counts are missing; commits come from pg_stat_database.xact_commit");
            return false;
        }
    }

    private static async Task<JsonObject> MachineAsync(string pg, bool quick)
    {
        var cpu = (await File.ReadAllLinesAsync("/proc/cpuinfo")).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        var memKb = long.Parse((await File.ReadAllLinesAsync("/proc/meminfo"))[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        var version = (await Sql.LinesAsync(pg, "SHOW server_version")).FirstOrDefault() ?? "?";
        var fsync = (await Sql.LinesAsync(pg, "SHOW fsync")).FirstOrDefault() ?? "?";
        var sync = (await Sql.LinesAsync(pg, "SHOW synchronous_commit")).FirstOrDefault() ?? "?";
        return new JsonObject
        {
            ["machine"] = $"{Environment.ProcessorCount} cores, {cpu}, {memKb / 1024 / 1024} GiB RAM, Linux {Environment.OSVersion.Version}; PostgreSQL {version} (fsync {fsync}, synchronous_commit {sync}); SQLite WAL, synchronous FULL; .NET {Environment.Version}",
            ["date"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["mode"] = quick ? "quick" : "full",
            ["load_before"] = LoadAverage(),
        };
    }

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HeavyJobs.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("run from inside the HeavyJobs repository");
    }
}
