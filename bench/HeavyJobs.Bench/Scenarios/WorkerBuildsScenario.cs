using System.Diagnostics;
using System.Globalization;
using HeavyJobs.Bench.Modes;
using HeavyJobs.Storage.Monitoring;

namespace HeavyJobs.Bench.Scenarios;

/// <summary>
/// What a trimmed or a native-AOT build of the worker would save (issue 17), beside the CLI as built, in one run:
/// the CLI published trimmed and ready-to-run, and published native AOT where clang is installed
/// (<c>-p:HeavyJobsWorkerBuild=trimmed|aot</c>, src/HeavyJobs.Cli/HeavyJobs.Cli.csproj). Each is started as a
/// standalone worker on SQLite: launch to its "started" log line (median of 5) and its RSS after 3 s idle; then
/// whether it runs a primes job of 20 chunks to the end on its own, and whether, started by a monitor of the same
/// build, it runs that job to the end through the monitor's store calls (every claim, checkpoint and completion a
/// message on its pipe, both ends serializing with the build's code). The last two are 1 or 0: a build that starts fast but cannot work is no saving yet. The
/// publishes take minutes (native AOT about ten on two cores): the full run only, or <c>--only worker_builds</c>.
/// </summary>
internal static class WorkerBuildsScenario
{
    private const int Rounds = 5;
    private const int Chunks = 20;
    private const string Type = "demo.primes";

    public static async Task RunAsync(BenchContext ctx)
    {
        // Every build first, then the measurements back to back: the publishes keep the machine busy for minutes.
        List<(string Label, string Cli)> builds = [("built", ctx.Cli), ("trimmed_r2r", await PublishAsync(ctx, "trimmed", "-p:PublishReadyToRun=true"))];
        if (File.Exists("/usr/bin/clang"))
        {
            builds.Add(("aot", await PublishAsync(ctx, "aot")));
        }
        else
        {
            ctx.Results.Note("worker_builds: no native AOT build (it needs clang, lld and zlib1g-dev: apt-get install clang lld zlib1g-dev)");
        }

        foreach (var (label, cli) in builds)
        {
            await MeasureAsync(ctx, label, cli);
        }
    }

    private static async Task MeasureAsync(BenchContext ctx, string label, string cli)
    {
        var starts = new List<double>();
        var rss = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            var db = await ctx.FreshAsync("sqlite", $"wbuild-{label}");
            var clock = Stopwatch.StartNew();
            await using var worker = Launch(cli, ["worker", "--types", Type, "--node", "bench-" + label], db);
            // The worker logs this line once its host has started: the store opened, its row written.
            await worker.LineAsync(" info: HeavyJobs.Worker[1001]", TimeSpan.FromMinutes(1), anywhere: true, fromErrors: true);
            starts.Add(clock.Elapsed.TotalMilliseconds);
            await Task.Delay(TimeSpan.FromSeconds(3));
            rss.Add(ProcStat.RssMb(worker.Pid) ?? double.NaN);
            await ctx.DropAsync(db);
        }

        starts.Sort();
        rss.Sort();
        var runs = await RunsAJobAsync(ctx, label, cli, underMonitor: false);
        var underMonitor = await RunsAJobAsync(ctx, label, cli, underMonitor: true);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {label}: start {string.Join(", ", starts.Select(s => s.ToString("F0", CultureInfo.InvariantCulture)))} ms; idle RSS {rss[Rounds / 2]:F1} MB; runs a job {runs}; runs one under a monitor {underMonitor}"));
        ctx.Results.Set($"worker.builds.{label}.start_ms", starts[Rounds / 2], $"a standalone worker, launch to its started line, median of {Rounds}, SQLite");
        ctx.Results.Set($"worker.builds.{label}.idle_rss_mb", rss[Rounds / 2], "its RSS 3 s after it started");
        ctx.Results.Set($"worker.builds.{label}.runs_chunks", runs ? 1 : 0, $"1 if it ran a {Chunks}-chunk primes job to the end on its own within 2 minutes");
        ctx.Results.Set($"worker.builds.{label}.under_monitor", underMonitor ? 1 : 0, $"1 if, started by a monitor of the same build, it ran the {Chunks}-chunk job to the end through its monitor within 2 minutes");
    }

    // Standalone, the worker opens the store itself. Under a monitor it goes through the monitor's store calls
    // (claims, checkpoints, completions), so the protocol's messages and records cross the pipe both ways under the
    // build's serializer.
    private static async Task<bool> RunsAJobAsync(BenchContext ctx, string label, string cli, bool underMonitor)
    {
        var db = await ctx.FreshAsync("sqlite", $"wbuild-{(underMonitor ? "mon" : "job")}-{label}");
        var node = $"bench-{(underMonitor ? "mon" : "job")}-{label}";
        try
        {
            await using var process = underMonitor
                ? Launch(cli, ["monitor", "--node", node, "--worker-store", "Monitor"], db)
                : Launch(cli, ["worker", "--types", Type, "--node", node], db);
            long job;
            await using (var store = BenchStores.Open(db))
            {
                job = await BenchContext.EnqueueAsync(store, Type, Enumerable.Range(0, Chunks).Select(i => $"{{\"start\":{i * 100_000},\"end\":{(i + 1) * 100_000}}}"));
                if (underMonitor)
                {
                    await store.WorkerTargetSetAsync(new WorkerTargetSetParams(node, Type, 1, DateTimeOffset.UtcNow), CancellationToken.None);
                }
            }

            await BenchContext.WaitDoneAsync(db, job, Chunks, TimeSpan.FromMinutes(2));
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        finally
        {
            await ctx.DropAsync(db);
        }
    }

    /// <summary>
    /// A framework-dependent build runs under dotnet; a self-contained one is its own executable. Each gets the young
    /// generation a monitor gives its workers (MonitorOptions.WorkerGen0Budget), so the idle RSS is a worker's.
    /// </summary>
    private static Child Launch(string cli, IEnumerable<string> args, string db)
    {
        var environment = new Dictionary<string, string> { ["HEAVYJOBS_DB"] = db, ["DOTNET_GCgen0size"] = "0x400000" };
        return cli.EndsWith(".dll", StringComparison.Ordinal) ? Child.Start("dotnet", [cli, .. args], environment) : Child.Start(cli, args, environment);
    }

    // Trimming and AOT warn about every reflection use they cannot follow (docs/performance.md counts them): they
    // are what this measures, not errors.
    private static Task<string> PublishAsync(BenchContext ctx, string build, params string[] extra) =>
        CliPublish.PublishAsync(ctx, build, executable: true, [$"-p:HeavyJobsWorkerBuild={build}", "-p:TreatWarningsAsErrors=false", .. extra]);
}
