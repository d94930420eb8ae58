using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using HeavyJobs.Bench.Dashboard;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Postgres;
using HeavyJobs.Storage.Sqlite;
using HeavyJobs.Web;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

// Seeds a store at the scale the dashboard promises (a million chunks, a hundred workers, a month of per-minute
// throughput), starts the dashboard on loopback, and times every page and the main API calls. Prints one JSON
// object: per page the server's own time (its Server-Timing header) and the round trip, and max_page_ms, the
// slowest page's median server time. Progress goes to stderr.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 2;
}

var ct = CancellationToken.None;
var (store, db, cleanup) = Open(options);
try
{
    await store.MigrateAsync(ct);
    var now = TimeProvider.System.GetUtcNow();
    Log($"seeding {options.Store}: {options.Chunks:N0} chunks, {options.Workers} workers, {options.Days} days of throughput");
    var seeded = await Seeder.RunAsync(store, options, now, ct);
    Log($"seeded in {seeded.Seconds:0.0} s");

    await using var app = HeavyJobsWeb.Build(store, new WebOptions { Urls = "http://127.0.0.1:0" }, TimeProvider.System);
    await app.StartAsync(ct);
    var warm = Stopwatch.StartNew();
    // What the fleet's manager keeps up to date (RollupDuty): done once here, as no manager runs.
    await store.JobStatsRefreshAsync(new HeavyJobs.Storage.Dashboard.JobStatsRefreshParams(TimeProvider.System.GetUtcNow()), ct);
    await store.ThroughputRollUpAsync(new HeavyJobs.Storage.Dashboard.ThroughputRollUpParams(TimeProvider.System.GetUtcNow() - HeavyJobs.Web.Queries.DashboardRollups.ClosedAfter), ct);
    Log($"chunk counts rolled up in {warm.Elapsed.TotalMilliseconds:0} ms");

    using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
    var pages = Pages.For(seeded);
    var results = new List<object>();
    double max = 0;
    foreach (var (name, path) in pages)
    {
        var server = new List<double>();
        var total = new List<double>();
        for (var run = 0; run <= options.Runs; run++)
        {
            var sw = Stopwatch.StartNew();
            using var response = await client.GetAsync(path, ct);
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            sw.Stop();
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{path}: {(int)response.StatusCode}");
            }

            if (run == 0)
            {
                continue;
            }

            total.Add(sw.Elapsed.TotalMilliseconds);
            server.Add(ServerMs(response));
        }

        var median = Median(server);
        max = Math.Max(max, median);
        results.Add(new { name, path, server_ms_median = Round(median), server_ms_max = Round(server.Max()), total_ms_median = Round(Median(total)) });
        Log($"{median,8:0.0} ms  {name} {path}");
    }

    await app.StopAsync(ct);
    var report = new
    {
        bench = "dashboard",
        store = options.Store,
        chunks = options.Chunks,
        workers = options.Workers,
        throughput_days = options.Days,
        throughput_rows = seeded.ThroughputRows,
        actions = seeded.Actions,
        runs = options.Runs,
        seed_seconds = Round(seeded.Seconds),
        rollup_ms = Round(warm.Elapsed.TotalMilliseconds),
        pages = results,
        max_page_ms = Round(max),
        budget_ms = 200,
        within_budget = max < 200,
    };
    Console.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
    return max < 200 ? 0 : 1;
}
finally
{
    await store.DisposeAsync();
    if (!options.Keep)
    {
        await cleanup();
    }
    else
    {
        Log($"kept {db}");
    }
}

static (IHeavyStore Store, string Db, Func<Task> Cleanup) Open(BenchOptions o)
{
    if (o.Store == "sqlite")
    {
        var path = o.Db ?? Path.Combine(Path.GetTempPath(), $"heavyjobs-bench-{Guid.NewGuid():N}.db");
        return (new SqliteStore(path), path, () =>
        {
            foreach (var f in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(f);
            }

            return Task.CompletedTask;
        });
    }

    var baseString = o.Db ?? Environment.GetEnvironmentVariable("HEAVYJOBS_TEST_POSTGRES")
        ?? "Host=127.0.0.1;Port=5432;Username=heavyjobs;Password=heavyjobs;Database=heavyjobs_test";
    var schema = $"bench_{Guid.NewGuid():N}"[..20];
    var connection = new NpgsqlConnectionStringBuilder(baseString) { SearchPath = schema }.ToString();
    return (new PostgresStore(connection), connection, async () =>
    {
        await using var dataSource = NpgsqlDataSource.Create(baseString);
        await using var drop = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
        await drop.ExecuteNonQueryAsync();
    });
}

static double ServerMs(HttpResponseMessage response)
{
    var header = response.Headers.TryGetValues("Server-Timing", out var values) ? values.First() : throw new InvalidOperationException("no Server-Timing header");
    var dur = header.Split(';').Single(p => p.StartsWith("dur=", StringComparison.Ordinal))[4..];
    return double.Parse(dur, CultureInfo.InvariantCulture);
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}

static double Round(double v) => Math.Round(v, 1);

static void Log(string line) => Console.Error.WriteLine(line);
