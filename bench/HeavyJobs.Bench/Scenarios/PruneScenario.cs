using System.Globalization;
using HeavyJobs.Bench.Modes;
using HeavyJobs.Runtime.Manager;
using HeavyJobs.Storage.Dashboard;
using HeavyJobs.Storage.Retention;

namespace HeavyJobs.Bench.Scenarios;

/// <summary>
/// Retention under load. A synthetic history (a million finished chunks with an output each in the full run, a
/// fifth of it in the quick one; a month of per-minute throughput, rolled up; old actions, exited workers, taken
/// commands) is pruned with the manager's default settings while worker processes burn no-op chunks fed without
/// pause. The claim rate during the prune is compared with the mean of the rates in equal-length windows just
/// before and just after it, and every table is checked to hold nothing older than its retention afterwards.
/// </summary>
internal static class PruneScenario
{
    private const string History = "bench.history";
    private const int HistoryJobs = 10;
    private const int Feed = 50_000;

    public static async Task RunAsync(BenchContext ctx, string kind)
    {
        var history = ctx.Quick ? 200_000 : 1_000_000;
        var oldRows = ctx.Quick ? 20_000 : 100_000;
        var workers = kind == "pg" ? 4 : Environment.ProcessorCount;
        var retention = new RetentionOptions();
        var db = await ctx.FreshAsync(kind, "prune");
        var children = new List<Child>();
        using var feeding = new CancellationTokenSource();
        try
        {
            var historyIds = await SeedAsync(db, history, oldRows);
            children.AddRange(Enumerable.Range(0, workers).Select(_ => Child.Self("worker", "--db", db, "--types", BenchHandlers.NoOp)));
            await Task.WhenAll(children.Select(c => c.LineAsync("ready", TimeSpan.FromSeconds(60))));

            var live = new List<long>();
            await using var store = BenchStores.Open(db);
            live.Add(await BenchContext.EnqueueAsync(store, BenchHandlers.NoOp, Enumerable.Repeat("{}", Feed)));
            // The first job warms the workers' JIT up, unmeasured.
            await BenchContext.WaitDoneAsync(db, live[0], Feed, TimeSpan.FromMinutes(5));
            var feeder = FeedAsync(db, live, feeding.Token);

            var window = TimeSpan.FromSeconds(ctx.Quick ? 8 : 20);
            var before = await RateAsync(db, live, () => Task.Delay(window));
            var pruneStart = DateTimeOffset.UtcNow;
            var removed = PruneCounts.Zero;
            var during = await RateAsync(db, live, async () =>
            {
                var (counts, _) = await Pruner.BatchesAsync(store, retention.At(pruneStart), retention, TimeProvider.System, budget: null, CancellationToken.None);
                removed = counts;
            });
            var pruneSeconds = (DateTimeOffset.UtcNow - pruneStart).TotalSeconds;
            var after = await RateAsync(db, live, () => Task.Delay(window));
            await feeding.CancelAsync();
            await feeder;

            var baseline = (before + after) / 2;
            var over = await OverBoundAsync(db, historyIds, retention, pruneStart);
            ctx.Results.Set($"{kind}.prune.claim_rate_ratio", during / baseline, string.Create(CultureInfo.InvariantCulture, $"{during:F0} chunks/s during the prune, {before:F0} before and {after:F0} after ({window.TotalSeconds:F0} s windows), {workers} workers"));
            ctx.Results.Set($"{kind}.prune.seconds", pruneSeconds, $"batches of {retention.Batch}, {retention.BatchPause.TotalMilliseconds:F0} ms apart");
            ctx.Results.Set($"{kind}.prune.rows_removed", removed.Rows, removed.ToString());
            ctx.Results.Set($"{kind}.prune.rows_over_bound", over, "rows older than their retention left after the prune (0: every table under its bound)");
            ctx.Results.Set($"{kind}.prune.history_chunks", history);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {kind} prune: {pruneSeconds:F1} s, {removed}; claims {during:F0}/s during, {before:F0}/s before, {after:F0}/s after; {over} rows over their bound"));
        }
        finally
        {
            await feeding.CancelAsync();
            foreach (var c in children)
            {
                await c.DisposeAsync();
            }

            await ctx.DropAsync(db);
        }
    }

    /// <summary>Chunks of the live jobs done per second while <paramref name="during"/> runs, from their finished_at.</summary>
    private static async Task<double> RateAsync(string db, List<long> live, Func<Task> during)
    {
        var from = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await during();
        var to = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        long[] ids;
        lock (live)
        {
            ids = [.. live];
        }

        var done = await Sql.ScalarAsync(db, $"SELECT count(*) FROM hj_chunks WHERE job_id IN ({string.Join(",", ids)}) AND state = 'done' AND state NOT IN ('pending', 'running') AND finished_at >= {from} AND finished_at < {to}");
        return done / ((to - from) / 1000.0);
    }

    /// <summary>Keeps the workers busy: another job of no-op chunks whenever the newest has fewer than half its chunks left.</summary>
    private static async Task FeedAsync(string db, List<long> live, CancellationToken stop)
    {
        await using var store = BenchStores.Open(db);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                long newest;
                lock (live)
                {
                    newest = live[^1];
                }

                if (await Sql.ScalarAsync(db, $"SELECT count(*) FROM (SELECT 1 FROM hj_chunks WHERE job_id = {newest} AND finished_at IS NULL AND state IN ('pending', 'running') LIMIT {Feed / 2}) AS o") < Feed / 2)
                {
                    var id = await BenchContext.EnqueueAsync(store, BenchHandlers.NoOp, Enumerable.Repeat("{}", Feed));
                    lock (live)
                    {
                        live.Add(id);
                    }
                }

                await Task.Delay(100, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>Finished two-stage jobs 40 days old with an output per chunk (of their first stage), a month of throughput minutes rolled up, and old rows.</summary>
    private static async Task<string> SeedAsync(string db, int history, int oldRows)
    {
        var now = DateTimeOffset.UtcNow;
        var old = now.AddDays(-40).ToUnixTimeMilliseconds();
        var ids = new List<long>();
        await using (var store = BenchStores.Open(db))
        {
            for (var i = 0; i < HistoryJobs; i++)
            {
                ids.Add(await BenchContext.EnqueueAsync(store, History, Enumerable.Repeat("{}", history / HistoryJobs)));
            }

            var list = string.Join(",", ids);
            await Sql.ExecAsync(db, $"INSERT INTO hj_job_stages (job_id, stage, name, type, mode) SELECT id, 1, 'total', '{History}', 'streaming' FROM hj_jobs WHERE id IN ({list})");
            await Sql.ExecAsync(db, $"UPDATE hj_chunks SET state = 'done', done = 1, good = 1, finished_at = {old}, updated_at = {old} WHERE job_id IN ({list})");
            await Sql.ExecAsync(db, $"UPDATE hj_jobs SET state = 'completed', finished_at = {old}, updated_at = {old} WHERE id IN ({list})");
            await Sql.ExecAsync(db, $"INSERT INTO hj_outputs (job_id, chunk_id, stage, key, data, created_at) SELECT job_id, id, 0, 'k', '1', {old} FROM hj_chunks WHERE job_id IN ({list})");

            const int minutes = 30 * 24 * 60;
            var start = now.AddDays(-31).ToUnixTimeMilliseconds() / 60_000 * 60_000;
            await Sql.ExecAsync(db, $"{Series(minutes)} INSERT INTO hj_throughput (bucket, worker_id, type, stage, items, good, bad) SELECT {start} + i * CAST(60000 AS BIGINT), w.id, '{History}', 0, 10, 10, 0 FROM n CROSS JOIN (SELECT 1 AS id UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) AS w");
            await Sql.ExecAsync(db, $"{Series(oldRows)} INSERT INTO hj_actions (at, actor, kind, reason) SELECT {old} + i, 'bench', 'start', 'old' FROM n");
            await Sql.ExecAsync(db, $"{Series(oldRows / 10)} INSERT INTO hj_workers (node, pid, types, version, state, started_at, heartbeat_at, stopped_at) SELECT 'old', i, '{History}', '1', 'exited', {old}, {old}, {old} FROM n");
            await Sql.ExecAsync(db, $"{Series(oldRows / 10)} INSERT INTO hj_commands (node, kind, actor, created_at, taken_at) SELECT 'old', 'stop', 'bench', {old}, {old} FROM n");
            // As the manager keeps them: the month's minutes are folded before the prune may remove them.
            await store.ThroughputRollUpAsync(new ThroughputRollUpParams(now - RollupDuty.ClosedAfter), CancellationToken.None);
        }

        return string.Join(",", ids);
    }

    private static string Series(int n) => $"WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {n - 1})";

    /// <summary>Rows older than their retention as of <paramref name="now"/>, when the prune took its cut-offs (later, more minutes are due).</summary>
    private static async Task<long> OverBoundAsync(string db, string historyIds, RetentionOptions r, DateTimeOffset now)
    {
        long Ms(TimeSpan age) => (now - age).ToUnixTimeMilliseconds();
        long over = 0;
        foreach (var sql in new[]
        {
            $"SELECT count(*) FROM hj_chunks WHERE job_id IN ({historyIds})",
            $"SELECT count(*) FROM hj_outputs WHERE job_id IN ({historyIds}) AND stage = 0",
            $"SELECT count(*) FROM hj_throughput WHERE bucket < {Ms(r.ThroughputMinutes)}",
            $"SELECT count(*) FROM hj_actions WHERE at < {Ms(r.Actions)}",
            $"SELECT count(*) FROM hj_workers WHERE state = 'exited' AND stopped_at < {Ms(r.ExitedWorkers)}",
            $"SELECT count(*) FROM hj_commands WHERE taken_at < {Ms(r.TakenCommands)}",
        })
        {
            over += await Sql.ScalarAsync(db, sql);
        }

        return over;
    }
}
