using System.Diagnostics;
using System.Globalization;
using HeavyJobs.Bench.Modes;
using HeavyJobs.Storage.Monitoring;

namespace HeavyJobs.Bench.Scenarios;

/// <summary>
/// A scale-up to a ready worker (issue 17): a monitor on SQLite; its target for demo.primes is set from 0 to 1
/// through the store and the clock runs until the new worker's row says idle (the monitor's wake-up, the process
/// start, the runtime's start and the JIT, the hello over the pipe): <c>worker.start_ms</c>, the median of 5. After
/// 3 s idle its RSS is <c>worker.idle_rss_mb</c>. The same again with the CLI published ready-to-run (its own code
/// and libraries compiled ahead of time, no trimming): what that would save, measured in the same run.
/// </summary>
internal static class WorkerStartScenario
{
    private const int Rounds = 5;
    private const string Type = "demo.primes";

    public static async Task RunAsync(BenchContext ctx)
    {
        var (start, rss) = await MeasureAsync(ctx, ctx.Cli, "built");
        ctx.Results.Set("worker.start_ms", start, $"target 0 → 1 to the worker's row idle, as built (JIT), median of {Rounds}, SQLite");
        ctx.Results.Set("worker.idle_rss_mb", rss, "an idle worker's RSS 3 s after it was ready, as built");

        var r2r = await CliPublish.PublishAsync(ctx, "ready-to-run", executable: false, "--self-contained", "false", "-p:PublishReadyToRun=true");
        var (fastStart, fastRss) = await MeasureAsync(ctx, r2r, "r2r");
        ctx.Results.Set("worker.start_ms.ready_to_run", fastStart, $"the same with the CLI published ready-to-run (-p:PublishReadyToRun=true), median of {Rounds}");
        ctx.Results.Set("worker.idle_rss_mb.ready_to_run", fastRss, "the same, ready-to-run");
    }

    private static async Task<(double StartMs, double RssMb)> MeasureAsync(BenchContext ctx, string cli, string label)
    {
        var db = await ctx.FreshAsync("sqlite", "wstart-" + label);
        var node = "bench-start-" + label;
        await using var monitor = Child.Start("dotnet", [cli, "monitor", "--node", node], new Dictionary<string, string> { ["HEAVYJOBS_DB"] = db });
        try
        {
            await UntilAsync(async () => await Sql.ScalarAsync(db, "SELECT count(*) FROM hj_nodes") > 0, monitor, "the monitor to join");
            await using var store = BenchStores.Open(db);
            var starts = new List<double>();
            var rss = new List<double>();
            for (var round = 0; round < Rounds; round++)
            {
                var clock = Stopwatch.StartNew();
                await store.WorkerTargetSetAsync(new WorkerTargetSetParams(node, Type, 1, DateTimeOffset.UtcNow), CancellationToken.None);
                await UntilAsync(async () => await Sql.ScalarAsync(db, $"SELECT count(*) FROM hj_workers WHERE node = '{node}' AND state = 'idle'") == 1, monitor, "an idle worker", 5);
                starts.Add(clock.Elapsed.TotalMilliseconds);

                await Task.Delay(TimeSpan.FromSeconds(3));
                var pid = (int)await Sql.ScalarAsync(db, $"SELECT pid FROM hj_workers WHERE node = '{node}' AND state = 'idle'");
                rss.Add(RssMb(pid));

                await store.WorkerTargetSetAsync(new WorkerTargetSetParams(node, Type, 0, DateTimeOffset.UtcNow), CancellationToken.None);
                await UntilAsync(async () => await Sql.ScalarAsync(db, $"SELECT count(*) FROM hj_workers WHERE node = '{node}' AND state IN ('starting', 'idle', 'busy', 'stopping')") == 0, monitor, "the worker to leave");
            }

            starts.Sort();
            rss.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {label}: start {string.Join(", ", starts.Select(s => s.ToString("F0", CultureInfo.InvariantCulture)))} ms; idle RSS {rss[Rounds / 2]:F1} MB"));
            return (starts[Rounds / 2], rss[Rounds / 2]);
        }
        finally
        {
            await ctx.DropAsync(db);
        }
    }

    private static async Task UntilAsync(Func<Task<bool>> done, Child monitor, string what, int pollMs = 100)
    {
        var deadline = Stopwatch.StartNew();
        while (!await done())
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(2) || monitor.Exited)
            {
                throw new TimeoutException($"waited 2 minutes for {what}: {monitor.Errors}");
            }

            await Task.Delay(pollMs);
        }
    }

    private static double RssMb(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }
}
