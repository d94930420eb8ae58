using System.Text.Json;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Runtime.Fleet;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Workers;

namespace HeavyJobs.Fleet.Tests.Fleet;

/// <summary>
/// Rolling deploys on a two-machine fleet in the middle of a two-stage pipeline. Each machine runs from an install
/// root of its own (<c>versions/&lt;v&gt;/</c>, <c>current</c>), its monitor started from <c>current</c> and started again
/// when it exits for a deploy, as its unit would. The builds are this test host stamped with other versions; the
/// broken one is the same build stamped so that its workers fail at start; the new one ships as a .zip.
/// </summary>
public sealed class DeployScenarios
{
    private const string Old = "1.0.0-old";
    private const string New = "2.0.0-new";
    private const string Broken = "2.0.1-broken";
    private const string NoMonitor = "2.0.2-nomonitor";
    private const int Items = 6_000;
    private const int PerChunk = 200;
    private static readonly TimeSpan Within = TimeSpan.FromMinutes(3);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ABrokenBuildIsRolledBackOnTheFirstMachine_ThenANewOneRollsOverBoth_MixedVersionsShow_AndEveryItemCountsOnce()
    {
        var fleet = await FleetRun.CreateAsync("postgres", Ct);
        var builds = Path.Combine(Path.GetTempPath(), "heavyjobs-deploy-tests", Guid.NewGuid().ToString("N"));
        var (a, b) = (fleet.Machine(0), fleet.Machine(1));
        try
        {
            var oldBuild = TestBuilds.Stamp(builds, Old);
            var newBuild = TestBuilds.Stamp(builds, New);
            var brokenBuild = TestBuilds.Stamp(builds, Broken);
            File.WriteAllText(Path.Combine(brokenBuild, TestHost.TestHandlers.FailWorkersFile), "");
            foreach (var m in new[] { a, b })
            {
                // The machine's first install, as an operator would make it before the service units.
                var root = new InstallRoot(Path.Combine(builds, "root-" + m));
                root.Install(oldBuild, Old);
                root.Point(Old);
                fleet.UseInstallRoot(m, root.Path);
            }

            fleet.StartManager();
            fleet.StartMachine(a);
            fleet.StartMachine(b);
            Assert.True(await MonitorRun.UntilAsync(async () => (await fleet.Store.NodeListAsync(Ct)).Count(n => n.Version == Old) == 2, Within, Ct), fleet.Log);
            foreach (var m in new[] { a, b })
            {
                Assert.Equal(0, (await fleet.CliAsync(Ct, "workers", "scale", "test.relay=2", "test.count=2", "--node", m)).Exit);
            }

            var first = await SubmitAsync(fleet);
            Assert.True(await MonitorRun.UntilAsync(async () => await DoneAsync(fleet, first) >= Items / 10, Within, Ct), fleet.Log);

            // The broken build: machine a switches, its workers fail at start, a goes back to the old build; b is never touched.
            var (brokenExit, brokenOut) = await fleet.CliAsync(Ct, "deploy", brokenBuild, "--health-timeout", "60");
            TestContext.Current.TestOutputHelper?.WriteLine(brokenOut);
            Assert.True(brokenExit == 1, brokenOut + fleet.Log);
            Assert.Contains($"deploy of {Broken} stopped at {a}: workers of test.", brokenOut, StringComparison.Ordinal);
            Assert.Contains($"not deployed: {b}", brokenOut, StringComparison.Ordinal);
            Assert.Contains($"{a}: {a} runs {Old} again", brokenOut, StringComparison.Ordinal);
            Assert.Single(await FleetScenarios.Actions(fleet, ActionKinds.DeployRollback));
            Assert.DoesNotContain(await FleetScenarios.Actions(fleet, ActionKinds.DeployMachine), x => x.Node == b);
            await FleetScenarios.ConvergesAsync(fleet, (a, 4), (b, 4));
            Assert.All(await Live(fleet), w => Assert.Equal(Old, w.WorkerVersion));
            Assert.Equal(Old, new InstallRoot(Path.Combine(builds, "root-" + a)).CurrentVersion);

            // A build whose monitor cannot start at all: nothing on it can undo the switch, so the unit's start guard
            // (run before each start from the build it replaced) puts the old build back after its failed starts.
            var deadBuild = TestBuilds.Stamp(builds, NoMonitor);
            File.WriteAllText(Path.Combine(deadBuild, TestHost.TestHandlers.FailMonitorFile), "");
            var (deadExit, deadOut) = await fleet.CliAsync(Ct, "deploy", deadBuild, "--switch-timeout", "240");
            TestContext.Current.TestOutputHelper?.WriteLine(deadOut);
            Assert.True(deadExit == 1, deadOut + fleet.Log);
            Assert.Contains($"the monitor of {NoMonitor} failed {InstallRoot.StartsBeforeRollback} starts in a row on {a}", deadOut, StringComparison.Ordinal);
            Assert.Contains($"not deployed: {b}", deadOut, StringComparison.Ordinal);
            Assert.Equal(Old, new InstallRoot(Path.Combine(builds, "root-" + a)).CurrentVersion);
            Assert.Equal(2, (await FleetScenarios.Actions(fleet, ActionKinds.DeployRollback)).Count);
            await FleetScenarios.ConvergesAsync(fleet, (a, 4), (b, 4));
            Assert.All(await Live(fleet), w => Assert.Equal(Old, w.WorkerVersion));
            // The fleet keeps working on the old build: the first pipeline ends, and a second one is under way.
            await FinishesExactlyOnceAsync(fleet, first);
            var job = await SubmitAsync(fleet);
            Assert.True(await MonitorRun.UntilAsync(async () => await DoneAsync(fleet, job) >= Items / 10, Within, Ct), fleet.Log);

            // The new build, mid-pipeline, while something watches workers ps for the versions it shows at once.
            using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            var watching = WatchVersionsAsync(fleet, stopWatching.Token);
            // Shipped as a package this time: each machine unpacks it beside its other versions.
            var newPackage = Path.Combine(builds, New + ".zip");
            System.IO.Compression.ZipFile.CreateFromDirectory(newBuild, newPackage);
            var (exit, output) = await fleet.CliAsync(Ct, "deploy", newPackage);
            await stopWatching.CancelAsync();
            var seen = await watching;
            TestContext.Current.TestOutputHelper?.WriteLine(output);
            Assert.True(exit == 0, output + fleet.Log);
            Assert.Contains($"versions now: {a}: 4 on {New}; {b}: 4 on {Old}", output, StringComparison.Ordinal);
            Assert.Contains(seen, versions => versions.Contains(Old) && versions.Contains(New));
            Assert.Contains($"deployed {New} to {a}, {b}", output, StringComparison.Ordinal);
            Assert.Equal(2, (await FleetScenarios.Actions(fleet, ActionKinds.DeployHealthy)).Count);
            await FleetScenarios.ConvergesAsync(fleet, (a, 4), (b, 4));
            Assert.All(await Live(fleet), w => Assert.Equal(New, w.WorkerVersion));
            Assert.All(await fleet.Store.NodeListAsync(Ct), n => Assert.Equal(New, n.Version));
            var (_, ps) = await fleet.CliAsync(Ct, "workers", "ps");
            Assert.Contains(New, ps, StringComparison.Ordinal);
            Assert.DoesNotContain(Old, ps, StringComparison.Ordinal);
            // Both builds stay installed side by side; current names the new one.
            Assert.True(Directory.Exists(Path.Combine(builds, "root-" + b, "versions", Old)));
            Assert.Equal(New, new InstallRoot(Path.Combine(builds, "root-" + b)).CurrentVersion);
            // Each new monitor confirmed its switch once it joined: later restarts can never roll a good build back.
            Assert.All(new[] { a, b }, m => Assert.False(File.Exists(Path.Combine(builds, "root-" + m, "switch.pending")), $"{m} left its switch unconfirmed"));

            var activeDuringRoll = (await fleet.Store.JobGetAsync(job, Ct))!.State == JobState.Active;
            await FinishesExactlyOnceAsync(fleet, job);
            TestContext.Current.TestOutputHelper?.WriteLine($"the second pipeline was {(activeDuringRoll ? "still running" : "done")} when the deploy ended");
        }
        finally
        {
            await fleet.DisposeAsync();
            Directory.Delete(builds, recursive: true);
        }
    }

    /// <summary>The pipeline ends, every item written exactly once by each stage, nothing quarantined.</summary>
    private static async Task FinishesExactlyOnceAsync(FleetRun fleet, long job)
    {
        Assert.True(await MonitorRun.UntilAsync(async () => (await fleet.Store.JobGetAsync(job, Ct))!.State != JobState.Active, Within, Ct), fleet.Log);
        Assert.Equal(JobState.Completed, (await fleet.Store.JobGetAsync(job, Ct))!.State);
        var keys = (await fleet.Store.OutputListAsync(new OutputListParams(job, Limit: 1_000_000), Ct)).Select(o => o.Key).ToList();
        var expected = Enumerable.Range(0, Items).SelectMany(i => new[] { $"seen-{i}", $"item-{i}" });
        Assert.Equal(expected.Order(StringComparer.Ordinal), keys.Order(StringComparer.Ordinal));
        var chunks = await fleet.Store.ChunkListAsync(new ChunkListParams(job, Limit: 100_000), Ct);
        Assert.DoesNotContain(chunks, x => x.State == ChunkState.Quarantined);
        // Outputs go in only with checkpoints, so a worker killed mid-chunk leaves them right too: only the holds
        // show that a deploy drained its workers (each gave its chunk back with a checkpoint) instead of killing them.
        foreach (var chunk in chunks)
        {
            var holds = (await fleet.Store.ChunkHistoryAsync(chunk.Id, Ct))?.Holds ?? [];
            // With the fleet's log: a death nobody in the test caused (once, a SIGKILL, exit 137) says where it came from.
            Assert.False(holds.Any(h => h.Ended == HoldEndings.Died), $"chunk {chunk.Id}: {string.Join("; ", holds)}\n{fleet.Log}");
        }
    }

    private static async Task<long> SubmitAsync(FleetRun fleet) =>
        (await fleet.Store.JobInsertAsync(
            new JobInsertParams(
                "relay and count, deployed under",
                [new StageDefinition("relay", "test.relay", StageMode.Streaming), new StageDefinition("count", "test.count", StageMode.Streaming)],
                JsonSerializer.Serialize(new { sleepMs = 20, every = 25 }),
                Enumerable.Range(0, Items / PerChunk).Select(i => $$"""{"start":{{i * PerChunk}},"end":{{(i + 1) * PerChunk}}}"""),
                0,
                5,
                TimeProvider.System.GetUtcNow()),
            Ct)).JobId;

    /// <summary>
    /// Samples the worker rows that <c>workers ps</c> and the dashboard render (its "version" is the worker's own):
    /// the set of versions live workers report, per sample. A ps process per sample would be too slow to catch the mix.
    /// </summary>
    private static async Task<List<HashSet<string>>> WatchVersionsAsync(FleetRun fleet, CancellationToken ct)
    {
        var seen = new List<HashSet<string>>();
        try
        {
            while (!ct.IsCancellationRequested)
            {
                seen.Add((await fleet.Store.WorkerListAsync(new WorkerListParams(), ct))
                    .Where(w => w.State is WorkerState.Idle or WorkerState.Busy)
                    .Select(w => w.WorkerVersion ?? w.Version)
                    .ToHashSet());
                await Task.Delay(50, ct);
            }
        }
        catch (OperationCanceledException)
        {
        }

        return seen;
    }

    private static async Task<IReadOnlyList<WorkerRow>> Live(FleetRun fleet) =>
        (await fleet.Store.WorkerListAsync(new WorkerListParams(), Ct)).Where(w => w.State is WorkerState.Idle or WorkerState.Busy).ToList();

    private static async Task<long> DoneAsync(FleetRun fleet, long job) =>
        (await fleet.Store.ChunkListAsync(new ChunkListParams(job, Limit: 100_000), Ct)).Sum(x => x.Counters.Done);
}
