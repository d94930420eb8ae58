using System.Globalization;
using HeavyJobs.Bench.Modes;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Workers;

namespace HeavyJobs.Bench.Scenarios;

/// <summary>
/// Scenarios 4 and 6, with the real executable: `heavyjobs monitor` starting `heavyjobs worker --monitored`
/// processes, and `heavyjobs manager`.
/// </summary>
internal static class FleetScenarios
{
    /// <summary>
    /// Idle cost: manager + monitor + 8 idle workers; CPU of all of them from /proc, statements from PostgreSQL.
    /// On SQLite (<paramref name="kind"/> "sqlite") nothing is notified: the monitor, and a standalone worker run
    /// beside the fleet, poll the file's change counter every 20 ms, so the CPU is what that costs
    /// (`sqlite.idle.cpu_percent` for the fleet, `sqlite.idle.standalone_cpu_percent` for the lone worker).
    /// </summary>
    public static async Task IdleAsync(BenchContext ctx, string kind = "pg")
    {
        var seconds = ctx.Quick ? 20 : 60;
        var pg = kind == "pg";
        var db = await ctx.FreshAsync(kind, "idle");
        const string node = "bench-idle";
        var children = new List<Child>();
        try
        {
            await RunCliAsync(ctx, db, "workers", "scale", "demo.primes=8", "--node", node);
            children.Add(StartCli(ctx, db, "monitor", "--node", node));
            children.Add(StartCli(ctx, db, "manager"));
            var workers = await WaitWorkersAsync(db, node, 8, WorkerState.Idle);
            Child? standalone = pg ? null : StartCli(ctx, db, "worker", "--types", "demo.primes", "--node", "bench-idle-standalone");
            if (standalone is not null)
            {
                await WaitWorkersAsync(db, "bench-idle-standalone", 1, WorkerState.Idle);
            }

            await Task.Delay(3000);
            var pids = children.Select(c => c.Pid).Concat(workers.Select(w => w.Pid)).ToList();
            var ticks0 = pids.Sum(CpuTicks);
            var alone0 = standalone is null ? 0 : CpuTicks(standalone.Pid);
            var before = pg ? await PgCounters.ReadAsync(ctx.Pg, ctx.HasStatements) : default;
            await Task.Delay(TimeSpan.FromSeconds(seconds));
            var ticks1 = pids.Sum(CpuTicks);
            // USER_HZ is 100 on Linux.
            var cpu = (ticks1 - ticks0) / 100.0 / seconds * 100;
            if (standalone is not null)
            {
                ctx.Results.Set("sqlite.idle.cpu_percent", cpu, $"{pids.Count} processes over {seconds} s");
                ctx.Results.Set("sqlite.idle.standalone_cpu_percent", (CpuTicks(standalone.Pid) - alone0) / 100.0 / seconds * 100, $"one `heavyjobs worker` over {seconds} s");
                children.Add(standalone);
                return;
            }

            var used = await PgCounters.ReadAsync(ctx.Pg, ctx.HasStatements) - before;
            ctx.Results.Set("idle.cpu_percent", cpu, $"{pids.Count} processes over {seconds} s");
            ctx.Results.Set("idle.commits_per_s", used.Commits / (double)seconds, $"{seconds} s, whole bench database");
            if (ctx.HasStatements)
            {
                ctx.Results.Set("idle.statements_per_s", used.Statements / (double)seconds, $"{seconds} s, whole bench database");
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
    }

    /// <summary>Recovery: SIGKILL the worker running a long chunk; time until that chunk runs again on another worker.</summary>
    public static async Task RecoveryAsync(BenchContext ctx)
    {
        var runs = 3;
        var db = await ctx.FreshAsync("pg", "recovery");
        const string node = "bench-recovery";
        var times = new List<double>();
        Child? monitor = null;
        try
        {
            await RunCliAsync(ctx, db, "workers", "scale", "demo.primes=3", "--node", node);
            monitor = StartCli(ctx, db, "monitor", "--node", node);
            await using var store = BenchStores.Open(db);
            for (var run = 0; run < runs; run++)
            {
                await WaitWorkersAsync(db, node, 3, WorkerState.Idle);
                // One chunk long enough to be running when it is killed: primes below 4·10^9, checkpoint every 10^7.
                var job = await BenchContext.EnqueueAsync(store, "demo.primes", ["""{"start":0,"end":4000000000}"""], """{"segment":10000000}""");
                var chunkId = await Sql.ScalarAsync(db, $"SELECT id FROM hj_chunks WHERE job_id = {job}");
                var owner = await PollAsync(async () => await Sql.ScalarAsync(db, $"SELECT COALESCE(lease_owner, 0) FROM hj_chunks WHERE id = {chunkId} AND state = 'running'"), TimeSpan.FromSeconds(30));
                await Task.Delay(500);
                var pid = (int)await Sql.ScalarAsync(db, $"SELECT pid FROM hj_workers WHERE id = {owner}");
                Child.SignalPid(pid, 9);
                var killed = Clock.NowUs();
                await PollAsync(
                    async () => await Sql.ScalarAsync(db, $"SELECT COALESCE(lease_owner, 0) FROM hj_chunks WHERE id = {chunkId} AND state = 'running' AND lease_owner <> {owner}"),
                    TimeSpan.FromSeconds(60),
                    TimeSpan.FromMilliseconds(2));
                times.Add((Clock.NowUs() - killed) / 1e6);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  recovery run {run + 1}: {times[^1]:F3} s"));
                await store.JobCancelAsync(new JobChangeParams(job, DateTimeOffset.UtcNow), CancellationToken.None);
            }
        }
        finally
        {
            if (monitor is not null)
            {
                await monitor.DisposeAsync();
            }

            await ctx.DropAsync(db);
        }

        ctx.Results.Median("recovery.seconds", times);
    }

    private static async Task<long> PollAsync(Func<Task<long>> probe, TimeSpan timeout, TimeSpan? every = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await probe();
            if (value != 0)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not met in time");
            }

            await Task.Delay(every ?? TimeSpan.FromMilliseconds(20));
        }
    }

    private static async Task<IReadOnlyList<WorkerRow>> WaitWorkersAsync(string db, string node, int count, WorkerState state)
    {
        await using var store = BenchStores.Open(db);
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            var workers = (await store.WorkerListAsync(new WorkerListParams(node), CancellationToken.None)).Where(w => w.State == state).ToList();
            if (workers.Count >= count)
            {
                return workers;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{count} {state} workers on {node} not seen in 120 s (saw {workers.Count})");
            }

            await Task.Delay(200);
        }
    }

    private static long CpuTicks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command name.
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    public static Child StartCli(BenchContext ctx, string db, params string[] args)
    {
        var apphost = Path.ChangeExtension(ctx.Cli, null);
        var env = new Dictionary<string, string> { ["HEAVYJOBS_DB"] = db };
        return File.Exists(apphost) ? Child.Start(apphost, args, env) : Child.Start("dotnet", [ctx.Cli, .. args], env);
    }

    private static async Task RunCliAsync(BenchContext ctx, string db, params string[] args)
    {
        await using var child = StartCli(ctx, db, args);
        if (await child.WaitAsync(TimeSpan.FromMinutes(1)) != 0)
        {
            throw new InvalidOperationException($"heavyjobs {string.Join(' ', args)} failed: {child.Errors}");
        }
    }
}
