using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace HeavyJobs.Bench.Scenarios;

/// <summary>The anchors: pgbench on the same PostgreSQL, and Hangfire draining the same no-op work.</summary>
internal static partial class BaselineScenarios
{
    public static async Task PgbenchAsync(BenchContext ctx)
    {
        var pgbench = new[] { "/usr/lib/postgresql/15/bin/pgbench", "/usr/bin/pgbench" }.FirstOrDefault(File.Exists);
        if (pgbench is null)
        {
            ctx.Results.Note("pgbench not found: no raw transaction rate");
            return;
        }

        var b = new NpgsqlConnectionStringBuilder(ctx.Pg);
        var common = new[] { "-h", b.Host!, "-p", b.Port.ToString(CultureInfo.InvariantCulture), "-U", b.Username!, b.Database! };
        var env = new Dictionary<string, string> { ["PGPASSWORD"] = b.Password ?? "" };
        await using (var init = Child.Start(pgbench, ["-i", "-q", "-s", "4", .. common], env))
        {
            await init.WaitAsync(TimeSpan.FromMinutes(3));
        }

        var seconds = ctx.Quick ? 10 : 30;
        var tps = new List<double>();
        for (var run = 0; run < (ctx.Quick ? 1 : 3); run++)
        {
            await using var bench = Child.Start(pgbench, ["-N", "-n", "-c", "4", "-j", "2", "-T", seconds.ToString(CultureInfo.InvariantCulture), .. common], env);
            var line = await bench.LineAsync("tps = ", TimeSpan.FromSeconds(seconds + 60));
            tps.Add(double.Parse(Tps().Match(line).Groups[1].Value, CultureInfo.InvariantCulture));
        }

        ctx.Results.Median("pgbench.tps", tps);
        await Sql.ExecAsync(ctx.Pg, "DROP TABLE IF EXISTS pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers");
    }

    public static async Task HangfireAsync(BenchContext ctx, string storage)
    {
        var jobs = ctx.Quick ? 2000 : 10_000;
        var schema = $"hangfire_bench_{Environment.ProcessId}";
        var key = storage == "postgres" ? "hangfire_pg" : "hangfire_memory";
        await using var child = Child.Self("hangfire", "--storage", storage, "--db", ctx.Pg, "--schema", schema, "--jobs", jobs.ToString(CultureInfo.InvariantCulture));
        try
        {
            var enqueued = Numbers(await child.LineAsync("enqueued ", TimeSpan.FromMinutes(5)));
            await Task.Delay(700);
            var before = await PgCounters.ReadAsync(ctx.Pg, ctx.HasStatements);
            child.Send("go");
            var drained = Numbers(await child.LineAsync("drained ", TimeSpan.FromMinutes(10)));
            await child.WaitAsync(TimeSpan.FromSeconds(60));
            await Task.Delay(700);
            var used = await PgCounters.ReadAsync(ctx.Pg, ctx.HasStatements) - before;
            ctx.Results.Set($"{key}.burndown.jobs_per_s", jobs / ((drained[1] - drained[0]) / 1e6), $"1 run of {jobs} jobs, default worker count");
            ctx.Results.Set($"{key}.enqueue.jobs_per_s", jobs / ((enqueued[1] - enqueued[0]) / 1e6), "4 enqueuing threads");
            if (storage == "postgres")
            {
                ctx.Results.Set("hangfire_pg.commits_per_job", (double)used.Commits / jobs);
                if (ctx.HasStatements)
                {
                    ctx.Results.Set("hangfire_pg.statements_per_job", (double)used.Statements / jobs);
                }
            }
        }
        finally
        {
            if (storage == "postgres")
            {
                await Sql.ExecAsync(ctx.Pg, $"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
            }
        }
    }

    private static long[] Numbers(string line) => line.Split(' ').Skip(1).Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();

    [GeneratedRegex(@"tps = ([0-9.]+)")]
    private static partial Regex Tps();
}
