using System.Globalization;
using HeavyJobs.Bench.Modes;

namespace HeavyJobs.Bench.Scenarios;

/// <summary>
/// Scenarios 1 and 2 and the bare SQL ceiling. After a warm-up, N no-op chunks are enqueued in one transaction
/// into a fleet of W idle worker processes (bulk enqueue: chunks/s of that insert), three times; each burn-down
/// runs from the enqueue's commit to the last completion. The ceiling drains the same table, seeded the same way, with P processes
/// looping a batched claim and a batched complete and nothing else.
/// </summary>
internal static class BurndownScenario
{
    public static async Task RunAsync(BenchContext ctx, string kind)
    {
        var chunks = ctx.Quick ? 100_000 : 500_000;
        var warmup = ctx.Quick ? 200_000 : 500_000;
        const int runs = 3;
        // SQLite has one writer at a time: beyond one worker per core, workers only queue for its lock, so it gets
        // as many as cores (2026-12-02, 2-core EPYC, writers taking turns: 2 workers 80.5k chunks/s, 3 82.0k,
        // 4 76.3k, medians of 3; the lock is the limit, not the workers).
        var workers = kind == "pg" ? 4 : Environment.ProcessorCount;
        var rates = new List<double>();
        var enqueue = new List<double>();
        var cpu = new List<double>();
        var db = await ctx.FreshAsync(kind, "burndown");
        var children = Enumerable.Range(0, workers).Select(_ => Child.Self("worker", "--db", db, "--types", BenchHandlers.NoOp)).ToList();
        try
        {
            await Task.WhenAll(children.Select(c => c.LineAsync("ready", TimeSpan.FromSeconds(60))));

            // A fleet runs for days; these workers have just started. Until .NET's tiered JIT has recompiled their
            // hot code it takes a third to a half of their CPU (seen with perf), so an unmeasured burn-down
            // comes first and the runs below measure the steady state, one after another on the same workers
            // and the same table (whose done chunks stay, as a fleet's history does).
            await using (var store = BenchStores.Open(db))
            {
                var warm = await BenchContext.EnqueueAsync(store, BenchHandlers.NoOp, Enumerable.Repeat("{}", warmup));
                await BenchContext.WaitDoneAsync(db, warm, warmup, TimeSpan.FromMinutes(5));
            }

            // PostgreSQL backends publish their counts when idle for 10 s or when they close: wait for the
            // warm-up's to land before the count starts; the end is read after the workers exit.
            await Task.Delay(kind == "pg" ? 11_000 : 300);
            var before = kind == "pg" ? await PgCounters.ReadAsync(ctx.Pg, ctx.HasStatements) : default;
            for (var run = 0; run < runs; run++)
            {
                var ticks0 = children.Sum(c => ProcStat.CpuTicks(c.Pid));
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
                cpu.Add((children.Sum(c => ProcStat.CpuTicks(c.Pid)) - ticks0) / ProcStat.TicksPerSecond * 1e6 / chunks);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {kind} burn-down run {run + 1}: {rates[^1]:F0} chunks/s, workers' CPU {cpu[^1]:F1} µs a chunk, enqueue {enqueue[^1]:F0}/s"));
            }

            foreach (var c in children)
            {
                await c.DisposeAsync();
            }

            children.Clear();
            if (kind == "pg")
            {
                await Task.Delay(700);
                var used = await PgCounters.ReadAsync(ctx.Pg, ctx.HasStatements) - before;
                ctx.Results.Set("pg.commits_per_chunk", (double)used.Commits / (runs * chunks), $"over the {runs} runs");
                if (ctx.HasStatements)
                {
                    ctx.Results.Set("pg.statements_per_chunk", (double)used.Statements / (runs * chunks), $"over the {runs} runs");
                }

                await RecordTableHealthAsync(ctx, db);
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

        ctx.Results.Median($"{kind}.burndown.chunks_per_s", rates);
        ctx.Results.Median($"{kind}.enqueue.chunks_per_s", enqueue);
        ctx.Results.Median($"{kind}.burndown.worker_cpu_us_per_chunk", cpu);
        ctx.Results.Set($"{kind}.burndown.workers", workers);
        ctx.Results.Set($"{kind}.burndown.chunks", chunks);
        ctx.Results.Set($"{kind}.burndown.warmup_chunks", warmup);
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
