using System.Globalization;
using System.Text.Json;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.TestSupport;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HeavyJobs.Web.Tests;

/// <summary>
/// The dashboard over the store of a real monitor process (the heavyjobs executable with test handlers), which
/// starts real worker processes when the page scales a type. The monitor and every worker are killed at the end.
/// </summary>
public sealed class LiveFleetFixture : BrowserFixtureBase
{
    private MonitorRun? _run;

    internal MonitorRun Run => _run ?? throw new InvalidOperationException("Not initialised.");

    private protected override async Task<DashboardHost> StartHostAsync()
    {
        _run = await MonitorRun.CreateAsync("sqlite", TestContext.Current.CancellationToken);
        _run.Start();
        return await DashboardHost.StartOnAsync(_run.Store);
    }

    private protected override async Task StopAsync()
    {
        if (_run is not null)
        {
            await _run.DisposeAsync();
        }
    }
}

public sealed class LiveFleetBrowserTests(LiveFleetFixture fixture) : IClassFixture<LiveFleetFixture>
{
    private const string Type = "test.count";
    private const int Workers = 3;

    // Worker processes start a .NET runtime each on a machine shared with other work: generous, but waited on, never slept.
    private const float Slow = 90_000;

    private DashboardHost Host => fixture.Host;

    private MonitorRun Run => fixture.Run;

    [Fact]
    public async Task ScaleFromThePage_WorkersAppear_OneLinePerWorker_ResetReturnsToZero_TerminateIsLogged()
    {
        try
        {
            await ScenarioAsync();
        }
        catch (PlaywrightException e)
        {
            throw new InvalidOperationException($"{e.Message}\n--- the monitor's output ---\n{Run.Log}", e);
        }
    }

    private async Task ScenarioAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var (context, page, errors) = await fixture.SignInAsync();
        await using var _ = context;

        // Scale the type on the monitor's machine from the Workers page; its processes appear in the ps.
        await page.GotoAsync(Host.BaseUrl + "/workers");
        await Expect(page.Locator("table[data-table=machines] tbody tr").Filter(new() { HasText = Run.Node })).ToContainTextAsync("up", new() { Timeout = Slow });
        await page.FillAsync("form.scale input[name=node]", Run.Node);
        await page.FillAsync("form.scale input[name=type]", Type);
        await page.FillAsync("form.scale input[name=count]", Workers.ToString(CultureInfo.InvariantCulture));
        await page.ClickAsync("form.scale button[type=submit]");
        await Expect(page.Locator("#flash")).ToContainTextAsync($"{Run.Node}: {Type} = {Workers}");
        var ps = page.Locator("table[data-table=workers] tbody tr:not(.empty)");

        // The work comes once every worker is up (see MonitorRun.ScaleUpIdleAsync). Four chunks of 30 s of work
        // each, checkpointed every 2 s: three workers stay busy and a reset chunk stays at zero for a while.
        await Expect(ps.Locator("span.state-idle")).ToHaveCountAsync(Workers, new() { Timeout = Slow });
        var job = await SubmitAsync(chunks: 4, itemsPerChunk: 3000, sleepMs: 10, every: 200);
        await Expect(ps.Locator("span.state-busy")).ToHaveCountAsync(Workers, new() { Timeout = Slow });
        await Expect(ps).ToHaveCountAsync(Workers);
        foreach (var pid in await ps.Locator("td:nth-child(3)").AllTextContentsAsync())
        {
            Assert.True(MonitorRun.Alive(int.Parse(pid, CultureInfo.InvariantCulture)), $"pid {pid} shown in the ps is not a live process\n{Run.Log}");
        }

        await Expect(page.Locator($"table[data-table=targets] tr[data-key]")).ToContainTextAsync(Type);
        await BrowserFixtureBase.ShotAsync(page, "live-workers");
        var workerIds = (await ps.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.key)")).Select(long.Parse).ToList();

        // One line per worker on the throughput chart, each named after its worker.
        await page.GotoAsync(Host.BaseUrl + "/throughput?range=1h");
        var lines = page.Locator("figure[data-chart=workers] path.series");
        await Expect(lines).ToHaveCountAsync(Workers, new() { Timeout = Slow });
        var series = await lines.EvaluateAllAsync<string[]>("paths => paths.map(p => p.dataset.series)");
        Assert.Equal(workerIds.Order(), series.Select(long.Parse).Order());
        await BrowserFixtureBase.ShotAsync(page, "live-throughput");
        await page.GotoAsync(Host.BaseUrl + "/throughput?range=1h&by=type");
        await Expect(page.Locator("figure[data-chart=types] path.series")).ToHaveCountAsync(1);

        // Reset a running chunk with progress from its job's page: its progress returns to zero.
        Assert.True(await MonitorRun.UntilAsync(async () => await RunningWithProgressAsync(job) is not null, TimeSpan.FromSeconds(Slow / 1000), ct), Run.Log);
        var chunk = (await RunningWithProgressAsync(job))!;
        await page.GotoAsync($"{Host.BaseUrl}/jobs/{job}");
        var row = page.Locator($"table[data-table=chunks] tr[data-key='{chunk.Id}']");
        await Expect(row.Locator("td").Nth(4)).Not.ToHaveTextAsync("0");
        await row.GetByRole(AriaRole.Button, new() { Name = "to zero" }).ClickAsync();
        await Expect(page.Locator("#flash")).ToContainTextAsync($"chunk {chunk.Id} reset to zero");
        await Expect(row.Locator("td").Nth(4)).ToHaveTextAsync("0");
        await BrowserFixtureBase.ShotAsync(page, "live-job");
        var reset = await Host.Store.ActionListAsync(new ActionListParams(Kind: "reset", ChunkId: chunk.Id), ct);
        Assert.Equal("web:otto", Assert.Single(reset).Actor);

        // Terminate a worker from the Workers page: the monitor kills it, starts a replacement, and the log shows both.
        await page.GotoAsync(Host.BaseUrl + "/workers");
        var victim = workerIds[0];
        var victimPid = int.Parse(await page.Locator($"table[data-table=workers] tr[data-key='{victim}'] td:nth-child(3)").TextContentAsync() ?? "", CultureInfo.InvariantCulture);
        await page.Locator($"table[data-table=workers] tr[data-key='{victim}']").GetByRole(AriaRole.Button, new() { Name = "terminate" }).ClickAsync();
        await Expect(page.Locator("#flash")).ToContainTextAsync($"terminate sent to worker {victim} on {Run.Node}");
        await Expect(page.Locator($"table[data-table=workers] tr[data-key='{victim}']")).ToHaveCountAsync(0, new() { Timeout = Slow });
        await Expect(ps).ToHaveCountAsync(Workers, new() { Timeout = Slow });
        Assert.False(MonitorRun.Alive(victimPid), $"terminated worker {victim} (pid {victimPid}) is still alive");

        await page.GotoAsync($"{Host.BaseUrl}/actions?worker={victim}&kind=terminate");
        var logged = page.Locator("table[data-table=actions] tbody tr:not(.empty)");
        // The operator's row, and the monitor's own, written when it carried the command out (the page refreshes itself until it is there).
        await Expect(logged).ToHaveCountAsync(2, new() { Timeout = Slow });
        // Rendered text, not raw text: a row the server drew keeps the template's whitespace, one the page's refresh drew does not.
        var actors = await logged.Locator("td:nth-child(3)").AllInnerTextsAsync();
        Assert.Equal(["monitor", "web:otto"], actors.Select(a => a.Trim()).Order(StringComparer.Ordinal));
        // Which row comes first depends on whether the monitor took the command before the dashboard logged it.
        await Expect(logged.Filter(new() { HasText = "terminated by web:otto" })).ToHaveCountAsync(1);
        await page.GotoAsync($"{Host.BaseUrl}/actions?node={Run.Node}");
        await Expect(page.Locator("table[data-table=actions]")).ToContainTextAsync("terminated by web:otto");
        await BrowserFixtureBase.ShotAsync(page, "live-actions");

        await page.GotoAsync(Host.BaseUrl + "/");
        await Expect(page.Locator("[data-bind='workers.busy']")).Not.ToHaveTextAsync("0", new() { Timeout = Slow });
        await BrowserFixtureBase.ShotAsync(page, "live-overview");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    private async Task<ChunkRow?> RunningWithProgressAsync(long job) =>
        (await Host.Store.ChunkListAsync(new ChunkListParams(job), TestContext.Current.CancellationToken))
        .FirstOrDefault(c => c is { State: ChunkState.Running, Counters.Done: > 0 });

    private async Task<long> SubmitAsync(int chunks, int itemsPerChunk, int sleepMs, int every)
    {
        var inserted = await Host.Store.JobInsertAsync(
            new JobInsertParams(
                "live count",
                [new StageDefinition("main", Type, StageMode.Streaming)],
                JsonSerializer.Serialize(new { sleepMs, every }),
                Enumerable.Range(0, chunks).Select(i => $$"""{"start":{{i * itemsPerChunk}},"end":{{(i + 1) * itemsPerChunk}}}"""),
                0,
                5,
                TimeProvider.System.GetUtcNow()),
            TestContext.Current.CancellationToken);
        return inserted.JobId;
    }
}
