using System.Text.Json;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Runtime.Fleet;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.TestSupport;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HeavyJobs.Web.Tests;

/// <summary>
/// The dashboard over a two-machine fleet on PostgreSQL (a manager and two monitors, real processes), each machine
/// running from an install root of its own on the old build, as <c>DeployScenarios</c> sets them up.
/// </summary>
public sealed class LiveDeployFixture : BrowserFixtureBase
{
    public const string Old = "1.0.0-old";
    public const string New = "2.0.0-new";
    public const string Canary = "3.0.0-canary";

    private FleetRun? _fleet;

    internal FleetRun Fleet => _fleet ?? throw new InvalidOperationException("Not initialised.");

    internal string Builds { get; } = Path.Combine(Path.GetTempPath(), "heavyjobs-deploy-tests", Guid.NewGuid().ToString("N"));

    private protected override async Task<DashboardHost> StartHostAsync()
    {
        _fleet = await FleetRun.CreateAsync("postgres", TestContext.Current.CancellationToken);
        var oldBuild = TestBuilds.Stamp(Builds, Old);
        foreach (var m in new[] { _fleet.Machine(0), _fleet.Machine(1) })
        {
            var root = new InstallRoot(Path.Combine(Builds, "root-" + m));
            root.Install(oldBuild, Old);
            root.Point(Old);
            _fleet.UseInstallRoot(m, root.Path);
            _fleet.StartMachine(m);
        }

        _fleet.StartManager();
        return await DashboardHost.StartOnAsync(_fleet.Store);
    }

    private protected override async Task StopAsync()
    {
        if (_fleet is not null)
        {
            await _fleet.DisposeAsync();
        }

        if (Directory.Exists(Builds))
        {
            Directory.Delete(Builds, recursive: true);
        }
    }
}

/// <summary>
/// A rolling deploy watched from the Workers page as it happens: the page, refreshing itself, shows workers of both
/// builds at once while one machine is on the new build and the other is not yet, and then only the new build. Then
/// a canary (the next build on one machine only), which <c>workers ps</c> and the page show as a mixed fleet.
/// </summary>
public sealed class LiveDeployBrowserTests(LiveDeployFixture fixture) : IClassFixture<LiveDeployFixture>
{
    private const int PerMachine = 2;
    private const int Items = 4_000;
    private const int PerChunk = 200;

    // Monitors and workers start a .NET runtime each on a shared machine, and a deploy drains and restarts them all.
    private const float Slow = 180_000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private FleetRun Fleet => fixture.Fleet;

    [Fact]
    public async Task DuringARollingDeploy_TheWorkersPageShowsBothBuildsAtOnce_ThenOnlyTheNewOne()
    {
        try
        {
            await ScenarioAsync();
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException)
        {
            throw new InvalidOperationException($"{e.Message}\n--- the fleet's output ---\n{Fleet.Log}", e);
        }
    }

    private async Task ScenarioAsync()
    {
        var (a, b) = (Fleet.Machine(0), Fleet.Machine(1));
        foreach (var m in new[] { a, b })
        {
            Assert.Equal(0, (await Fleet.CliAsync(Ct, "workers", "scale", $"test.count={PerMachine}", "--node", m)).Exit);
        }

        var (context, page, errors) = await fixture.SignInAsync();
        await using var _ = context;
        await page.GotoAsync(fixture.Host.BaseUrl + "/workers");
        var workers = page.Locator("table[data-table=workers] tbody tr:not(.empty)");

        // Every worker up before the work comes: a machine whose workers are slow to start would otherwise find the
        // job done by the other's before its own said hello, and the page would never show all of them at work.
        await Expect(workers.Locator("span.state-idle")).ToHaveCountAsync(2 * PerMachine, new() { Timeout = Slow });

        // Work that outlasts the deploy: a drained worker gives its chunk back, and the new build's workers take it on.
        var job = await SubmitAsync();
        await Expect(workers.Locator("span.state-busy")).ToHaveCountAsync(2 * PerMachine, new() { Timeout = Slow });
        await Expect(workers.Filter(new() { HasText = LiveDeployFixture.New })).ToHaveCountAsync(0);

        var newBuild = TestBuilds.Stamp(fixture.Builds, LiveDeployFixture.New);
        var deploy = Fleet.CliAsync(Ct, "deploy", newBuild);

        // Both builds on the page at the same moment: a worker at work on the new build and one on the old. Only a
        // busy or idle worker has said hello, so only its row shows the version it reports itself (a starting
        // worker's shows its monitor's).
        var mixed = await page.WaitForFunctionAsync(
            """
            ([oldVersion, newVersion]) => {
              const rows = [...document.querySelectorAll("table[data-table=workers] tbody tr:not(.empty)")]
                .filter(r => r.querySelector("span.state-busy, span.state-idle"))
                .map(r => r.innerText);
              return rows.some(r => r.includes(newVersion)) && rows.some(r => r.includes(oldVersion) && !r.includes(newVersion));
            }
            """,
            new[] { LiveDeployFixture.Old, LiveDeployFixture.New },
            new() { Timeout = Slow, PollingInterval = 100 });
        Assert.True(await mixed.JsonValueAsync<bool>());
        await BrowserFixtureBase.ShotAsync(page, "live-deploy");

        var (exit, output) = await deploy;
        Assert.True(exit == 0, output + Fleet.Log);
        Assert.Contains($"deployed {LiveDeployFixture.New} to {a}, {b}", output, StringComparison.Ordinal);

        // Afterwards every live worker on the page is of the new build, and so is every machine.
        await Expect(workers.Filter(new() { HasText = LiveDeployFixture.New })).ToHaveCountAsync(2 * PerMachine, new() { Timeout = Slow });
        await Expect(workers.Filter(new() { HasText = LiveDeployFixture.Old })).ToHaveCountAsync(0, new() { Timeout = Slow });
        var machines = page.Locator("table[data-table=machines] tbody tr:not(.empty)");
        await Expect(machines.Filter(new() { HasText = LiveDeployFixture.New })).ToHaveCountAsync(2, new() { Timeout = Slow });
        await Expect(machines.Filter(new() { HasText = LiveDeployFixture.Old })).ToHaveCountAsync(0);

        // The job the deploy interrupted still ends with every item counted once.
        Assert.True(await MonitorRun.UntilAsync(async () => (await Fleet.Store.JobGetAsync(job, Ct))!.State != JobState.Active, TimeSpan.FromSeconds(Slow / 1000), Ct), Fleet.Log);
        Assert.Equal(JobState.Completed, (await Fleet.Store.JobGetAsync(job, Ct))!.State);
        var keys = (await Fleet.Store.OutputListAsync(new OutputListParams(job, Limit: 100_000), Ct)).Select(o => o.Key).Order(StringComparer.Ordinal);
        Assert.Equal(Enumerable.Range(0, Items).Select(i => $"item-{i}").Order(StringComparer.Ordinal), keys);

        // A canary: the next build on the first machine alone (`--machines`), the fleet left mixed on purpose, as
        // `workers ps` and the page both show while it lasts.
        var canary = TestBuilds.Stamp(fixture.Builds, LiveDeployFixture.Canary);
        var (canaryExit, canaryOutput) = await Fleet.CliAsync(Ct, "deploy", canary, "--machines", a);
        Assert.True(canaryExit == 0, canaryOutput + Fleet.Log);
        Assert.Contains($"deployed {LiveDeployFixture.Canary} to {a}", canaryOutput, StringComparison.Ordinal);
        var (psExit, psJson) = await Fleet.CliAsync(Ct, "workers", "ps", "--json");
        Assert.Equal(0, psExit);
        using (var ps = JsonDocument.Parse(psJson))
        {
            var versions = ps.RootElement.GetProperty("workers").EnumerateArray()
                .GroupBy(w => w.GetProperty("node").GetString()!)
                .ToDictionary(g => g.Key, g => g.Select(w => w.GetProperty("version").GetString()).Distinct().ToList());
            Assert.Equal([LiveDeployFixture.Canary], versions[a]);
            Assert.Equal([LiveDeployFixture.New], versions[b]);
        }

        await Expect(workers.Filter(new() { HasText = LiveDeployFixture.Canary })).ToHaveCountAsync(PerMachine, new() { Timeout = Slow });
        await Expect(workers.Filter(new() { HasText = LiveDeployFixture.New }).Filter(new() { HasNotText = LiveDeployFixture.Canary })).ToHaveCountAsync(PerMachine, new() { Timeout = Slow });
        await Expect(machines.Filter(new() { HasText = LiveDeployFixture.Canary })).ToHaveCountAsync(1, new() { Timeout = Slow });
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    private async Task<long> SubmitAsync() =>
        (await Fleet.Store.JobInsertAsync(
            new JobInsertParams(
                "count, deployed under",
                [new StageDefinition("count", "test.count", StageMode.Streaming)],
                JsonSerializer.Serialize(new { sleepMs = 20, every = 25 }),
                Enumerable.Range(0, Items / PerChunk).Select(i => $$"""{"start":{{i * PerChunk}},"end":{{(i + 1) * PerChunk}}}"""),
                0,
                5,
                TimeProvider.System.GetUtcNow()),
            Ct)).JobId;
}
