using System.Globalization;
using HeavyJobs.Bench.Modes;
using HeavyJobs.Storage.Jobs;
using Npgsql;

namespace HeavyJobs.Bench.Scenarios;

/// <summary>
/// The fleet's own figures (issue 15), with real `heavyjobs monitor --node` processes as machines on one
/// PostgreSQL: a burn-down by three machines beside one machine with as many workers in all (the machines share
/// this box's cores, so the same total is the fair comparison: what a fleet costs the store, not more CPU), the
/// store's cost per chunk that docs/scale.md sizes a server with, and a whole machine SIGKILLed under a running
/// chunk until that chunk runs on another machine, with the default heartbeat settings.
/// </summary>
internal static class MachineScenarios
{
    private const string Tiny = """{"start":0,"end":1000}""";

    public static async Task BurndownAsync(BenchContext ctx)
    {
        var chunks = ctx.Quick ? 20_000 : 100_000;
        const int workers = 6;
        var one = await FleetBurndownAsync(ctx, machines: 1, workers, chunks);
        var three = await FleetBurndownAsync(ctx, machines: 3, workers, chunks);
        ctx.Results.Set("fleet.pg.burndown.one_machine_chunks_per_s", one, $"1 machine x {workers} workers, {chunks} chunks of tiny work, store calls through the monitor");
        ctx.Results.Set("fleet.pg.burndown.chunks_per_s", three, $"3 machines x {workers / 3} workers, {chunks} chunks of tiny work, store calls through the monitors");
        ctx.Results.Set("fleet.pg.burndown.ratio_to_one_machine", three / one, "same run, same workers in all");
    }

    private static async Task<double> FleetBurndownAsync(BenchContext ctx, int machines, int workers, int chunks)
    {
        var db = await ctx.FreshAsync("pg", $"fleetburn{machines}");
        var children = new List<Child>();
        try
        {
            // Every target before the first machine joins: once the fleet knows machines, an unknown name is refused.
            var nodes = Enumerable.Range(0, machines).Select(m => Node("burn", m)).ToList();
            foreach (var node in nodes)
            {
                await RunCliAsync(ctx, db, "workers", "scale", $"demo.primes={workers / machines}", "--node", node);
            }

            children.AddRange(nodes.Select(node => FleetScenarios.StartCli(ctx, db, "monitor", "--node", node)));

            await using var store = BenchStores.Open(db);
            var warm = await BenchContext.EnqueueAsync(store, "demo.primes", Enumerable.Repeat(Tiny, chunks / 4));
            await BenchContext.WaitDoneAsync(db, warm, chunks / 4, TimeSpan.FromMinutes(10));
            var wal0 = ctx.HasStatements ? await WalBytesAsync(ctx) : 0;
            var t0 = Clock.NowUs();
            var job = await BenchContext.EnqueueAsync(store, "demo.primes", Enumerable.Repeat(Tiny, chunks));
            var lastMs = await BenchContext.WaitDoneAsync(db, job, chunks, TimeSpan.FromMinutes(10));
            var rate = chunks / ((lastMs * 1000 - t0) / 1e6);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {machines} machine(s) x {workers / machines} workers: {rate:F0} chunks/s"));
            if (machines > 1)
            {
                await ScaleFiguresAsync(ctx, db, chunks, wal0);
            }

            return rate;
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

    /// <summary>What a chunk costs the server: WAL written (enqueue, claim, checkpoint, completion) and table space.</summary>
    private static async Task ScaleFiguresAsync(BenchContext ctx, string db, int chunks, long wal0)
    {
        if (ctx.HasStatements)
        {
            var wal = await WalBytesAsync(ctx) - wal0;
            ctx.Results.Set("scale.pg.wal_bytes_per_chunk", wal / (double)chunks, "pg_stat_statements wal_bytes of the bench database over one burn-down (enqueue to done), per chunk");
        }

        var rows = await Sql.ScalarAsync(db, "SELECT count(*) FROM hj_chunks");
        var table = await Sql.ScalarAsync(db, "SELECT pg_table_size('hj_chunks')");
        var indexes = await Sql.ScalarAsync(db, "SELECT pg_indexes_size('hj_chunks')");
        ctx.Results.Set("scale.pg.chunk_table_bytes_per_chunk", table / (double)rows, $"hj_chunks heap (with TOAST) over {rows} finished chunks");
        ctx.Results.Set("scale.pg.chunk_index_bytes_per_chunk", indexes / (double)rows, $"every index of hj_chunks over {rows} finished chunks");
    }

    // The scenario's schema is not on pg_stat_statements' search path: ask through the bench database's own connection.
    private static Task<long> WalBytesAsync(BenchContext ctx) =>
        Sql.ScalarAsync(ctx.Pg, "SELECT COALESCE(sum(wal_bytes), 0)::bigint FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())");

    /// <summary>
    /// Two machines and a manager with default settings; a long chunk runs on one machine, which is SIGKILLed whole
    /// (its monitor and every worker at once); the time until the chunk runs on the other machine. The killed
    /// machine comes back (a new boot id) before the next run.
    /// </summary>
    public static async Task MachineRecoveryAsync(BenchContext ctx)
    {
        var runs = ctx.Quick ? 2 : 3;
        var db = await ctx.FreshAsync("pg", "machinerecovery");
        var monitors = new Dictionary<string, Child>();
        var boots = new Dictionary<string, int>();
        Child? manager = null;
        var times = new List<double>();
        try
        {
            string[] nodes = [Node("recovery", 0), Node("recovery", 1)];
            foreach (var node in nodes)
            {
                await RunCliAsync(ctx, db, "workers", "scale", "demo.primes=2", "--node", node);
            }

            foreach (var node in nodes)
            {
                monitors[node] = StartMachine(ctx, db, node, boots);
            }

            manager = FleetScenarios.StartCli(ctx, db, "manager");
            await using var store = BenchStores.Open(db);
            for (var run = 0; run < runs; run++)
            {
                foreach (var node in nodes)
                {
                    await WaitAsync(db, $"SELECT count(*) FROM hj_workers WHERE node = '{node}' AND state = 'idle'", 2, TimeSpan.FromMinutes(2));
                }

                // One chunk long enough to be running when its machine dies: primes below 4·10^9, a checkpoint every 10^7.
                var job = await BenchContext.EnqueueAsync(store, "demo.primes", ["""{"start":0,"end":4000000000}"""], """{"segment":10000000}""");
                var chunk = await Sql.ScalarAsync(db, $"SELECT id FROM hj_chunks WHERE job_id = {job}");
                var owner = await WaitAsync(db, $"SELECT COALESCE(max(lease_owner), 0) FROM hj_chunks WHERE id = {chunk} AND state = 'running'", 1, TimeSpan.FromSeconds(60));
                var victim = (await Sql.LinesAsync(db, $"SELECT node FROM hj_workers WHERE id = {owner}")).Single();
                await Task.Delay(500);
                var pids = (await Sql.LinesAsync(db, $"SELECT pid FROM hj_workers WHERE node = '{victim}' AND state IN ('starting', 'idle', 'busy')"))
                    .Select(p => int.Parse(p, CultureInfo.InvariantCulture)).Append(monitors[victim].Pid).ToList();
                foreach (var pid in pids)
                {
                    Child.SignalPid(pid, 9);
                }

                var killed = Clock.NowUs();
                await WaitAsync(
                    db,
                    $"SELECT count(*) FROM hj_chunks c JOIN hj_workers w ON w.id = c.lease_owner WHERE c.id = {chunk} AND c.state = 'running' AND w.node <> '{victim}'",
                    1,
                    TimeSpan.FromSeconds(120),
                    TimeSpan.FromMilliseconds(20));
                times.Add((Clock.NowUs() - killed) / 1e6);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  machine recovery run {run + 1}: {times[^1]:F2} s ({victim} killed, {pids.Count} processes)"));
                await store.JobCancelAsync(new JobChangeParams(job, DateTimeOffset.UtcNow), CancellationToken.None);
                await monitors[victim].DisposeAsync();
                monitors[victim] = StartMachine(ctx, db, victim, boots);
            }
        }
        finally
        {
            foreach (var c in monitors.Values.Append(manager).OfType<Child>())
            {
                await c.DisposeAsync();
            }

            await ctx.DropAsync(db);
        }

        ctx.Results.Median("recovery.machine_seconds", times);
    }

    private static Child StartMachine(BenchContext ctx, string db, string node, Dictionary<string, int> boots)
    {
        boots[node] = boots.GetValueOrDefault(node) + 1;
        var apphost = Path.ChangeExtension(ctx.Cli, null);
        var env = new Dictionary<string, string> { ["HEAVYJOBS_DB"] = db, ["HeavyJobs__Monitor__BootId"] = $"bench-{node}-{boots[node]}" };
        string[] args = ["monitor", "--node", node];
        return File.Exists(apphost) ? Child.Start(apphost, args, env) : Child.Start("dotnet", [ctx.Cli, .. args], env);
    }

    private static string Node(string what, int index) => string.Create(CultureInfo.InvariantCulture, $"bench-{what}-{index}");

    private static async Task<long> WaitAsync(string db, string sql, long atLeast, TimeSpan timeout, TimeSpan? every = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await Sql.ScalarAsync(db, sql);
            if (value >= atLeast)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"not met in {timeout.TotalSeconds} s: {sql}");
            }

            await Task.Delay(every ?? TimeSpan.FromMilliseconds(200));
        }
    }

    private static async Task RunCliAsync(BenchContext ctx, string db, params string[] args)
    {
        await using var child = FleetScenarios.StartCli(ctx, new NpgsqlConnectionStringBuilder(db) { Timeout = 120 }.ToString(), args);
        if (await child.WaitAsync(TimeSpan.FromMinutes(2)) != 0)
        {
            throw new InvalidOperationException($"heavyjobs {string.Join(' ', args)} failed: {child.Errors}");
        }
    }
}
