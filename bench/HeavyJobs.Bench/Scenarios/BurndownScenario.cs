using System.Globalization;
using HeavyJobs.Bench.Modes;

namespace HeavyJobs.Bench.Scenarios;

/// <summary>
/// Scenarios 1 and 2 and the bare SQL ceiling. N no-op chunks are enqueued in one transaction into a fleet of
/// W idle worker processes (bulk enqueue: chunks/s of that insert); the burn-down runs from the enqueue's
/// commit to the last completion. The ceiling drains the same table, seeded the same way, with P processes
/// looping a batched claim and a batched complete and nothing else.
/// </summary>
internal static class BurndownScenario
{
    public static async Task RunAsync(BenchContext ctx, string kind)
    {
        var chunks = ctx.Quick ? 100_000 : 500_000;
        var runs = 3;
        var workers = kind == "pg" ? 4 : 4;
        var rates = new List<double>();
        var enqueue = new List<double>();
        var commits = new List<double>();
        var statements = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var db = await ctx.FreshAsync(kind, "burndown");
            var children = Enumerable.Range(0, workers).Select(_ => Child.Self("worker", "--db", db, "--types", BenchHandlers.NoOp)).ToList();
            try
            {
                await Task.WhenAll(children.Select(c => c.LineAsync("ready", TimeSpan.FromSeconds(60))));
                await Task.Delay(300);
                var before = kind == "pg" ? await PgCounters.ReadAsync(ctx.Pg, ctx.HasStatements) : default;
                long jobId;
                long t0 = Clock.NowUs(), t1;
                await using (var store = BenchStores.Open(db))
                {
                    jobId = await BenchContext.EnqueueAsync(store, BenchHandlers.NoOp, Enumerable.Repeat("{}", chunks));
                    t1 = Clock.NowUs();
                }

                if (kind == "pg" && run == 0)
                {
                    await RecordPlanAsync(ctx, db);
                }

                var lastMs = await BenchContext.WaitDoneAsync(db, jobId, chunks, TimeSpan.FromMinutes(5));
                var seconds = ((lastMs * 1000.0) - t1) / 1e6;
                rates.Add(chunks / seconds);
                enqueue.Add(chunks / ((t1 - t0) / 1e6));
                foreach (var c in children)
                {
                    await c.DisposeAsync();
                }

                children.Clear();
                if (kind == "pg")
                {
                    // Backends publish their counts when their connections close (the workers just exited).
                    await Task.Delay(700);
                    var used = await PgCounters.ReadAsync(ctx.Pg, ctx.HasStatements) - before;
                    commits.Add((double)used.Commits / chunks);
                    statements.Add((double)used.Statements / chunks);
                    if (run == 0)
                    {
                        await RecordTableHealthAsync(ctx, db);
                    }
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {kind} burn-down run {run + 1}: {chunks / seconds:F0} chunks/s, enqueue {chunks / ((t1 - t0) / 1e6):F0}/s"));
            }
            finally
            {
                foreach (var c in children)
                {
                    await c.DisposeAsync();
                }

                await ctx.DropAsync(db);
            }
        }

        ctx.Results.Median($"{kind}.burndown.chunks_per_s", rates);
        ctx.Results.Median($"{kind}.enqueue.chunks_per_s", enqueue);
        ctx.Results.Set($"{kind}.burndown.workers", workers);
        ctx.Results.Set($"{kind}.burndown.chunks", chunks);
        if (kind == "pg")
        {
            ctx.Results.Median("pg.commits_per_chunk", commits);
            if (ctx.HasStatements)
            {
                ctx.Results.Median("pg.statements_per_chunk", statements);
            }
        }
    }

    public static async Task CeilingAsync(BenchContext ctx, string kind)
    {
        var chunks = ctx.Quick ? 100_000 : 500_000;
        var processes = 4;
        var rates = new List<double>();
        for (var run = 0; run < 3; run++)
        {
            var db = await ctx.FreshAsync(kind, "ceiling");
            var children = new List<Child>();
            try
            {
                await using (var store = BenchStores.Open(db))
                {
                    await BenchContext.EnqueueAsync(store, BenchHandlers.NoOp, Enumerable.Repeat("{}", chunks));
                }

                children.AddRange(Enumerable.Range(1, processes).Select(i => Child.Self("ceiling", "--db", db, "--worker", i.ToString(CultureInfo.InvariantCulture), "--batch", "1000")));
                await Task.WhenAll(children.Select(c => c.LineAsync("ready", TimeSpan.FromSeconds(60))));
                foreach (var c in children)
                {
                    c.Send("go");
                }

                var lines = await Task.WhenAll(children.Select(c => c.LineAsync("ceiling ", TimeSpan.FromMinutes(5))));
                var parts = lines.Select(l => l.Split(' ').Skip(1).Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray()).ToList();
                var total = parts.Sum(p => p[2]);
                var seconds = (parts.Max(p => p[1]) - parts.Min(p => p[0])) / 1e6;
                if (total != chunks)
                {
                    ctx.Results.Note($"ceiling {kind}: drained {total} of {chunks} rows");
                }

                rates.Add(total / seconds);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {kind} ceiling run {run + 1}: {total / seconds:F0} rows/s"));
            }
            finally
            {
                foreach (var c in children)
                {
                    await c.DisposeAsync();
                }

                await ctx.DropAsync(db);
            }
        }

        ctx.Results.Median($"ceiling_{(kind == "pg" ? "pg" : "sqlite")}.chunks_per_s", rates);
    }

    /// <summary>While the chunks are pending: does the claim read its index in claim order (no sort)?</summary>
    private static async Task RecordPlanAsync(BenchContext ctx, string db)
    {
        var plan = await Sql.LinesAsync(
            db,
            $"EXPLAIN SELECT id FROM hj_chunks WHERE state = 'pending' AND type = '{BenchHandlers.NoOp}' AND run_after <= 0 ORDER BY progressed DESC, priority DESC, id LIMIT 1000 FOR UPDATE SKIP LOCKED");
        ctx.Results.Note("claim plan (PostgreSQL, N chunks pending): " + string.Join(" / ", plan.Select(p => p.Trim())));
    }

    /// <summary>After a burn-down: how many dead row versions are left, how many updates were HOT, and the table's size.</summary>
    private static async Task RecordTableHealthAsync(BenchContext ctx, string db)
    {
        var schema = new Npgsql.NpgsqlConnectionStringBuilder(db).SearchPath;
        var stats = await Sql.LinesAsync(
            ctx.Pg,
            $"SELECT n_live_tup, n_dead_tup, n_tup_upd, n_tup_hot_upd, pg_total_relation_size(relid) FROM pg_stat_user_tables WHERE schemaname = '{schema}' AND relname = 'hj_chunks'");
        ctx.Results.Note("hj_chunks after a burn-down (live | dead | updates | HOT updates | bytes): " + string.Join("", stats));
    }
}
