using System.Diagnostics;
using System.Globalization;
using HeavyJobs.Bench.Modes;
using Npgsql;

namespace HeavyJobs.Bench.Scenarios;

/// <summary>
/// PostgreSQL sessions per machine (issue 15): 10 monitors (4 in --quick) (`heavyjobs monitor --node`) of 8 busy workers each on
/// one database, the most sessions seen at once; then a monitor-run burn-down of small chunks with its workers'
/// store calls through the monitor and direct, chunks/s and sessions each way. Sessions are counted in
/// pg_stat_activity by an application name of the scenario's own; the bench's own reads use another.
/// </summary>
internal static class ConnectionsScenario
{
    public static async Task RunAsync(BenchContext ctx)
    {
        // The fleet is 10 machines of 8 busy workers: 90 .NET processes, which a loaded 2-core machine may not
        // start within minutes; --quick counts 4 such machines (the figure is per machine either way).
        await FleetAsync(ctx, machines: ctx.Quick ? 4 : 10, workers: 8);
        foreach (var access in new[] { "Monitor", "Direct" })
        {
            await BurndownAsync(ctx, access, chunks: ctx.Quick ? 20_000 : 100_000, workers: 4);
        }
    }

    private static async Task FleetAsync(BenchContext ctx, int machines, int workers)
    {
        var (db, watched, app) = await FreshAsync(ctx, "conns");
        var children = new List<Child>();
        try
        {
            await using (var store = BenchStores.Open(db))
            {
                // Long chunks (primes below 4·10^9, a checkpoint every 10^7): every worker stays busy while counted.
                await BenchContext.EnqueueAsync(store, "demo.primes", Enumerable.Repeat("""{"start":0,"end":4000000000}""", machines * workers * 2), """{"segment":10000000}""");
            }

            // The targets first, while no machine has joined (then any name is taken): a command started among 80
            // starting workers on a small machine can take minutes to come up.
            var nodes = Enumerable.Range(0, machines).Select(m => string.Create(CultureInfo.InvariantCulture, $"bench-conns-{m}")).ToList();
            foreach (var node in nodes)
            {
                await RunCliAsync(ctx, db, "workers", "scale", $"demo.primes={workers}", "--node", node);
            }

            foreach (var node in nodes)
            {
                children.Add(FleetScenarios.StartCli(ctx, watched, "monitor", "--node", node));
            }

            var started = Stopwatch.StartNew();
            // The bench's own reads wait as long as the monitors do for a session while 80 processes start.
            var patient = new NpgsqlConnectionStringBuilder(db) { Timeout = 120 }.ToString();
            while (await Sql.ScalarAsync(patient, "SELECT count(*) FROM hj_workers WHERE state = 'busy'") < machines * workers)
            {
                if (started.Elapsed > TimeSpan.FromMinutes(10))
                {
                    throw new TimeoutException($"{machines * workers} busy workers not seen in 10 minutes");
                }

                await Task.Delay(500);
            }

            var most = await MostSessionsAsync(ctx, app, TimeSpan.FromSeconds(5));
            ctx.Results.Set("fleet.pg.connections_total", most, $"{machines} machines x {workers} busy workers, most sessions at once over 5 s");
            ctx.Results.Set("fleet.pg.connections_per_machine", most / (double)machines, $"{machines} x {workers} busy workers, store calls through the monitor (default)");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {machines} x {workers} busy: {most} sessions ({started.Elapsed.TotalSeconds:F0} s to start)"));
        }
        finally
        {
            await StopAsync(children);
            await ctx.DropAsync(db);
        }
    }

    private static async Task BurndownAsync(BenchContext ctx, string access, int chunks, int workers)
    {
        var (db, watched, app) = await FreshAsync(ctx, "connsburn");
        var key = access.ToLowerInvariant();
        Child? monitor = null;
        try
        {
            await RunCliAsync(ctx, db, "workers", "scale", $"demo.primes={workers}", "--node", "bench-burn");
            monitor = FleetScenarios.StartCli(ctx, watched, "monitor", "--node", "bench-burn", "--worker-store", access);
            await using var store = BenchStores.Open(db);
            // A warm-up, then the measured run: tiny chunks (primes below 1,000), so the store calls are the work.
            var warm = await BenchContext.EnqueueAsync(store, "demo.primes", Enumerable.Repeat("""{"start":0,"end":1000}""", chunks / 4));
            await BenchContext.WaitDoneAsync(db, warm, chunks / 4, TimeSpan.FromMinutes(10));
            var sessions = MostSessionsAsync(ctx, app, TimeSpan.FromSeconds(3));
            var t0 = Clock.NowUs();
            var job = await BenchContext.EnqueueAsync(store, "demo.primes", Enumerable.Repeat("""{"start":0,"end":1000}""", chunks));
            await BenchContext.WaitDoneAsync(db, job, chunks, TimeSpan.FromMinutes(10));
            var rate = chunks / ((Clock.NowUs() - t0) / 1e6);
            ctx.Results.Set($"fleet.pg.monitor_burndown.{key}.chunks_per_s", rate, $"one monitor, {workers} workers, {chunks} chunks, store calls {key}");
            var most = await sessions;
            ctx.Results.Set($"fleet.pg.monitor_burndown.{key}.connections", most, "most sessions at once in the run's first 3 s");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  burn-down {key}: {rate:F0} chunks/s, {most} sessions"));
        }
        finally
        {
            await StopAsync(monitor is null ? [] : [monitor]);
            await ctx.DropAsync(db);
        }
    }

    /// <summary>A fresh schema, its connection string for the bench's reads, and one for the monitors under an application name of their own.</summary>
    private static async Task<(string Db, string Watched, string App)> FreshAsync(BenchContext ctx, string name)
    {
        var db = await ctx.FreshAsync("pg", name);
        var app = $"hjbench_{name}_{Environment.ProcessId}";
        // 80 processes starting on a small machine can take longer than Npgsql's 15 s to be given a connection.
        var watched = new NpgsqlConnectionStringBuilder(db) { ApplicationName = app, Timeout = 120 }.ToString();
        return (db, watched, app);
    }

    private static async Task<long> MostSessionsAsync(BenchContext ctx, string app, TimeSpan over)
    {
        var most = 0L;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < over)
        {
            most = Math.Max(most, await Sql.ScalarAsync(new NpgsqlConnectionStringBuilder(ctx.Pg) { Timeout = 120 }.ToString(), $"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{app}'"));
            await Task.Delay(100);
        }

        return most;
    }

    private static async Task StopAsync(IEnumerable<Child> children)
    {
        foreach (var c in children)
        {
            await c.DisposeAsync();
        }
    }

    private static async Task RunCliAsync(BenchContext ctx, string db, params string[] args)
    {
        // Commands run while monitors start: the same patience as theirs.
        await using var child = FleetScenarios.StartCli(ctx, new NpgsqlConnectionStringBuilder(db) { Timeout = 120 }.ToString(), args);
        int exit;
        try
        {
            exit = await child.WaitAsync(TimeSpan.FromMinutes(2));
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"heavyjobs {string.Join(' ', args)} still running after 2 minutes: {child.Errors}");
        }

        if (exit != 0)
        {
            throw new InvalidOperationException($"heavyjobs {string.Join(' ', args)} failed: {child.Errors}");
        }
    }
}
