using System.Diagnostics;
using System.Globalization;
using HeavyJobs.Bench.Modes;
using HeavyJobs.Storage.Dashboard;
using HeavyJobs.Storage.Workers;
using HeavyJobs.Web;

namespace HeavyJobs.Bench.Scenarios;

/// <summary>
/// Scenario 7: the dashboard's server time per page over a seeded PostgreSQL store: a million chunks over ten
/// jobs in every state, a hundred workers, a month of throughput buckets and an action log. Each page and API
/// call is fetched over HTTP from the dashboard hosted in this process; the figure is the median of 3 fetches
/// after one warm-up, and the key figure is the slowest page.
/// </summary>
internal static class DashboardScenario
{
    public static async Task RunAsync(BenchContext ctx)
    {
        var chunks = ctx.Quick ? 200_000 : 1_000_000;
        var db = await ctx.FreshAsync("pg", "dashboard");
        try
        {
            var seedWatch = Stopwatch.StartNew();
            await using var store = BenchStores.Open(db);
            var jobs = new List<long>();
            for (var j = 0; j < 10; j++)
            {
                jobs.Add(await BenchContext.EnqueueAsync(store, BenchHandlers.NoOp, Enumerable.Range(0, chunks / 10).Select(i => $$"""{"i":{{i}}}""")));
            }

            var now = DateTimeOffset.UtcNow;
            var nowMs = now.ToUnixTimeMilliseconds();
            for (var w = 0; w < 100; w++)
            {
                await store.WorkerRegisterAsync(new WorkerRegisterParams($"node-{w % 10}", 10_000 + w, [BenchHandlers.NoOp], "bench", 0, now), CancellationToken.None);
            }

            // Most chunks done, some failed, a hundred running (one per worker), the rest pending.
            await Sql.ExecAsync(db, $"UPDATE hj_chunks SET state = 'done', done = 10, good = 9, bad = 1, progressed = 1, started_at = {nowMs - 3_600_000}, finished_at = {nowMs} - (id % 3600000) WHERE id % 10 < 7");
            await Sql.ExecAsync(db, "UPDATE hj_chunks SET state = 'failed', attempts = 3, errors = '[{\"error\":\"boom\"}]' WHERE id % 1000 = 7");
            await Sql.ExecAsync(db, $"UPDATE hj_chunks SET state = 'running', lease_owner = w.id, lease_expires_at = {nowMs + 30_000}, holders = ARRAY[w.id], epoch = 1 FROM (SELECT id, row_number() OVER () AS n FROM hj_workers) w WHERE hj_chunks.id = (SELECT min(id) FROM hj_chunks) + 10 * w.n + 8");
            await Sql.ExecAsync(db, $"UPDATE hj_workers SET state = 'busy', heartbeat_at = {nowMs}");
            // A month of per-minute throughput for ten workers, and the last day for all hundred.
            await Sql.ExecAsync(db, $"INSERT INTO hj_throughput (bucket, worker_id, type, stage, items, good, bad) SELECT {nowMs / 60_000 * 60_000}- m::bigint * 60000, w, '{BenchHandlers.NoOp}', 0, 600, 590, 10 FROM generate_series(0, 43199) m, generate_series(1, 10) w");
            await Sql.ExecAsync(db, $"INSERT INTO hj_throughput (bucket, worker_id, type, stage, items, good, bad) SELECT {nowMs / 60_000 * 60_000}- m::bigint * 60000, w, '{BenchHandlers.NoOp}', 0, 600, 590, 10 FROM generate_series(0, 1439) m, generate_series(11, 100) w");
            await Sql.ExecAsync(db, $"INSERT INTO hj_actions (at, actor, kind, node, worker_id, job_id, chunk_id, reason) SELECT {nowMs} - g * 1000, 'monitor', (ARRAY['start','exit','reclaim','died'])[1 + g % 4], 'node-' || (g % 10), 1 + g % 100, {jobs[0]}, g, 'bench' FROM generate_series(1, 100000) g");
            // What the manager does in the background: roll throughput up, recount the jobs' chunks.
            await store.ThroughputRollUpAsync(new ThroughputRollUpParams(DateTimeOffset.UtcNow), CancellationToken.None);
            await store.JobStatsRefreshAsync(new JobStatsRefreshParams(DateTimeOffset.UtcNow), CancellationToken.None);
            await Sql.ExecAsync(db, "ANALYZE");
            ctx.Results.Set("dashboard.seed_seconds", seedWatch.Elapsed.TotalSeconds);
            ctx.Results.Set("dashboard.chunks", chunks);

            await using var app = HeavyJobsWeb.Build(store, new WebOptions { Urls = "http://127.0.0.1:0", MetricsRequireAuthentication = false }, TimeProvider.System);
            await app.StartAsync();
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromMinutes(2) };
            var job = jobs[^1];
            string[] pages =
            [
                "/", "/jobs", $"/jobs/{job}", "/workers", "/throughput", "/actions",
                "/api/overview", "/api/jobs", $"/api/jobs/{job}", $"/api/jobs/{job}/chunks", $"/api/jobs/{job}/chunks?state=failed",
                "/api/workers", "/api/throughput?range=30d", "/api/actions", "/metrics",
            ];
            var slowest = 0.0;
            var slowestPage = "";
            foreach (var page in pages)
            {
                var times = new List<double>();
                var status = 0;
                for (var i = 0; i < 4; i++)
                {
                    var watch = Stopwatch.StartNew();
                    using var response = await http.GetAsync(page);
                    await response.Content.ReadAsByteArrayAsync();
                    status = (int)response.StatusCode;
                    if (i > 0)
                    {
                        times.Add(watch.Elapsed.TotalMilliseconds);
                    }
                }

                var median = Clock.Median(times);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  dashboard {page}: {median:F1} ms (HTTP {status})"));
                if (status != 200)
                {
                    ctx.Results.Note($"dashboard {page}: HTTP {status}, not counted");
                    continue;
                }

                var key = "dashboard.page_ms." + (page.Trim('/').Length == 0 ? "index" : page.Trim('/').Replace('/', '_').Replace('?', '_').Replace('=', '_').Replace(job.ToString(CultureInfo.InvariantCulture), "id"));
                ctx.Results.Set(key, median);
                if (median > slowest)
                {
                    (slowest, slowestPage) = (median, page);
                }
            }

            ctx.Results.Set("dashboard.max_page_ms", slowest, $"slowest page: {slowestPage}");
            await app.StopAsync();
        }
        finally
        {
            await ctx.DropAsync(db);
        }
    }
}
