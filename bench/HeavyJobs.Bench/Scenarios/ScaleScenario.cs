using System.Diagnostics;
using System.Globalization;
using HeavyJobs.Bench.Modes;

namespace HeavyJobs.Bench.Scenarios;

/// <summary>
/// A burn-down beside a big history: one-output chunks burned three times on a young table, then the same
/// again after millions of finished chunks were put in by bulk SQL (10 million on --full, 1 million on
/// --quick, to keep the quick bench near 5 minutes), on the same workers. The figure is the rate at size over
/// the rate on the young table: the claim, the completion and the output inserts should not care what is done.
/// </summary>
internal static class ScaleScenario
{
    public static async Task RunAsync(BenchContext ctx, string kind)
    {
        var history = ctx.Quick ? 1_000_000 : 10_000_000;
        var chunks = ctx.Quick ? 50_000 : 200_000;
        var db = await ctx.FreshAsync(kind, "scale");
        var children = new List<Child>();
        var (empty, large) = (new List<double>(), new List<double>());
        try
        {
            children = await ShapedBurn.StartWorkersAsync(kind, db);
            await ShapedBurn.RunAsync(db, children, chunks, ShapedBurn.OneOutput);
            for (var run = 0; run < 3; run++)
            {
                var r = await ShapedBurn.RunAsync(db, children, chunks, ShapedBurn.OneOutput);
                empty.Add(r.Rate);
                Console.WriteLine(ShapedBurn.Line($"{kind} young table, run {run + 1}", r.Rate, r.CpuUs));
            }

            var seeding = Stopwatch.StartNew();
            await SeedAsync(db, kind, history);
            ctx.Results.Set($"scale.{kind}.seed_seconds", seeding.Elapsed.TotalSeconds, $"{history:N0} finished chunks by bulk SQL, then VACUUM ANALYZE on PostgreSQL");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {kind}: {history:N0} finished chunks seeded in {seeding.Elapsed.TotalSeconds:F0} s"));
            for (var run = 0; run < 3; run++)
            {
                var r = await ShapedBurn.RunAsync(db, children, chunks, ShapedBurn.OneOutput);
                large.Add(r.Rate);
                Console.WriteLine(ShapedBurn.Line($"{kind} beside {history:N0} finished, run {run + 1}", r.Rate, r.CpuUs));
            }
        }
        finally
        {
            foreach (var c in children)
            {
                await c.DisposeAsync();
            }

            await ctx.DropAsync(db);
        }

        ctx.Results.Median($"scale.{kind}.empty.chunks_per_s", empty);
        ctx.Results.Median($"scale.{kind}.burndown.chunks_per_s", large);
        ctx.Results.Set($"scale.{kind}.history_chunks", history);
        ctx.Results.Set($"scale.{kind}.chunks", chunks);
        var (a, b) = (ctx.Results.Get($"scale.{kind}.burndown.chunks_per_s"), ctx.Results.Get($"scale.{kind}.empty.chunks_per_s"));
        if (a is { } atSize && b is { } young && young > 0)
        {
            ctx.Results.Set($"scale.{kind}.ratio_to_empty", atSize / young, "one-output chunks beside the history / on the young table, same workers");
        }
    }

    /// <summary>A finished job of <paramref name="count"/> done chunks, written by the database itself.</summary>
    private static async Task SeedAsync(string db, string kind, int count)
    {
        var job = await Sql.ScalarAsync(
            db,
            "INSERT INTO hj_jobs (name, state, stages, parameters, priority, max_attempts, created_at, updated_at, finished_at) VALUES ('history', 'done', '[]', '{}', 0, 3, 1, 1, 1) RETURNING id");
        const string columns = "job_id, stage, type, state, priority, input, max_attempts, created_at, updated_at, started_at, finished_at, epoch, holders, progressed, done, good";
        if (kind == "pg")
        {
            await Sql.ExecAsync(db, $"INSERT INTO hj_chunks ({columns}) SELECT {job}, 0, '{BenchHandlers.Shaped}', 'done', 0, '{{}}', 3, 1, 1, 1, 1, 1, '{{1}}', 1, 1, 1 FROM generate_series(1, {count})", 3600);
            // What autovacuum would have done by the time such a table had grown.
            await Sql.ExecAsync(db, "VACUUM (ANALYZE) hj_chunks", 3600);
        }
        else
        {
            await Sql.ExecAsync(
                db,
                $"INSERT INTO hj_chunks ({columns}) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) SELECT {job}, 0, '{BenchHandlers.Shaped}', 'done', 0, '{{}}', 3, 1, 1, 1, 1, 1, '[1]', 1, 1, 1 FROM n",
                3600);
        }
    }
}
