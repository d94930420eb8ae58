using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Monitoring;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HeavyJobs.Web.Tests;

[Collection(BrowserFixtureBase.Serial)]
public sealed class BrowserTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private DashboardHost Host => fixture.Host;

    private Seeded Seeded => fixture.Host.Seeded;

    [Fact]
    public async Task EveryPage_Opens_ShowsItsData_AndIsScreenshotted()
    {
        var (context, page, errors) = await fixture.SignInAsync();
        await using var _ = context;

        await Expect(page.Locator("table[data-table=machines] tbody tr")).ToHaveCountAsync(2);
        await Expect(page.Locator("section.attention")).ToBeVisibleAsync();
        await Expect(page.Locator("table[data-table=crash-looping]")).ToContainTextAsync("demo.parse");
        await Expect(page.Locator("table[data-table=hung-kills]")).ToContainTextAsync("no heartbeat for 16 s");
        await Expect(page.Locator("table[data-table=backlog]")).ToContainTextAsync("whois refresh");
        await Expect(page.Locator("[data-bind='workers.busy']")).ToHaveTextAsync("2");
        await ShotAsync(page, "overview");

        await page.GotoAsync(Host.BaseUrl + "/jobs");
        await Expect(page.Locator("table[data-table=jobs] tbody tr")).ToHaveCountAsync(2);
        await ShotAsync(page, "jobs");

        await page.GotoAsync($"{Host.BaseUrl}/jobs/{Seeded.JobId}");
        await Expect(ChunkRow(page, Seeded.Failing)).ToContainTextAsync(Seed.Script);
        await Expect(ChunkRow(page, Seeded.Busy2)).ToContainTextAsync("demo.fetch");
        await ShotAsync(page, "job");

        await page.GotoAsync(Host.BaseUrl + "/workers");
        await Expect(page.Locator("table[data-table=workers] tbody tr")).ToHaveCountAsync(2);
        await Expect(page.Locator($"table[data-table=workers] tr[data-key='{Seeded.Worker1}']")).ToContainTextAsync("slow server whois.example");
        // Mixed versions, as a rolling deploy leaves them for a while: worker 2 already reports the next version,
        // under a monitor still on the old one; worker 1 is on the old one.
        await Expect(page.Locator($"table[data-table=workers] tr[data-key='{Seeded.Worker2}']")).ToContainTextAsync("0.2.0");
        await Expect(page.Locator($"table[data-table=workers] tr[data-key='{Seeded.Worker2}']")).ToContainTextAsync("0.1.0");
        await Expect(page.Locator($"table[data-table=workers] tr[data-key='{Seeded.Worker1}']")).Not.ToContainTextAsync("0.2.0");
        await ShotAsync(page, "workers");

        await page.GotoAsync(Host.BaseUrl + "/throughput");
        await Expect(page.Locator("figure[data-chart=workers] path.series")).ToHaveCountAsync(2);
        await ShotAsync(page, "throughput");

        await page.GotoAsync(Host.BaseUrl + "/actions");
        await Expect(page.Locator("table[data-table=actions]")).ToContainTextAsync("crash-loop");
        await ShotAsync(page, "actions");

        var login = await fixture.Browser.NewPageAsync();
        await login.GotoAsync(Host.BaseUrl + "/jobs");
        await Expect(login.Locator("form.login")).ToBeVisibleAsync();
        await ShotAsync(login, "login");
        await login.CloseAsync();

        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task ResetChunk_FromTheJobPage_ItsProgressReturnsToZero()
    {
        var (context, page, errors) = await fixture.SignInAsync();
        await using var _ = context;
        await page.GotoAsync($"{Host.BaseUrl}/jobs/{Seeded.JobId}");
        var row = ChunkRow(page, Seeded.Busy1);
        await Expect(DoneCell(row)).ToHaveTextAsync("500");

        await row.GetByRole(AriaRole.Button, new() { Name = "to zero" }).ClickAsync();

        await Expect(DoneCell(ChunkRow(page, Seeded.Busy1))).ToHaveTextAsync("0");
        await Expect(ChunkRow(page, Seeded.Busy1)).ToContainTextAsync("pending");
        await Expect(page.Locator("#flash")).ToContainTextAsync($"chunk {Seeded.Busy1} reset to zero");
        var chunk = await Host.Store.ChunkGetAsync(Seeded.Busy1, TestContext.Current.CancellationToken);
        Assert.Equal(0, chunk!.Counters.Done);
        Assert.Null(chunk.Cursor);
        var logged = await Host.Store.ActionListAsync(new ActionListParams(Kind: "reset", ChunkId: Seeded.Busy1), TestContext.Current.CancellationToken);
        Assert.Equal("web:otto", Assert.Single(logged).Actor);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task Page_RefreshesWithoutReloading_WhenTheStoreChanges()
    {
        var ct = TestContext.Current.CancellationToken;
        var (context, page, errors) = await fixture.SignInAsync();
        await using var _ = context;
        await page.GotoAsync($"{Host.BaseUrl}/jobs/{Seeded.JobId}");
        await Expect(DoneCell(ChunkRow(page, Seeded.Busy2))).ToHaveTextAsync("300");
        var marker = await page.EvaluateAsync<double>("() => (window.__loaded = performance.timeOrigin)");

        // The worker checkpoints, as it would while the page is open.
        var chunk = (await Host.Store.ChunkGetAsync(Seeded.Busy2, ct))!;
        await Host.Store.ChunkCheckpointAsync(
            new ChunkCheckpointParams(chunk.Id, chunk.JobId, chunk.Stage, chunk.Epoch, "example.org", new(1234, 1200, 34), [], [], false, DateTimeOffset.UtcNow, Seed.Lease),
            ct);

        await Expect(DoneCell(ChunkRow(page, Seeded.Busy2))).ToHaveTextAsync("1,234");
        Assert.Equal(marker, await page.EvaluateAsync<double>("() => window.__loaded"));
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task ThroughputChart_DrawsOneLinePerWorker_LabelledWithTheWorker()
    {
        var (context, page, errors) = await fixture.SignInAsync();
        await using var _ = context;
        foreach (var range in new[] { "1h", "6h", "24h", "7d" })
        {
            await page.GotoAsync($"{Host.BaseUrl}/throughput?range={range}");
            var lines = page.Locator("figure[data-chart=workers] path.series");
            await Expect(lines).ToHaveCountAsync(2);
            await Expect(page.Locator($"figure[data-chart=workers] path[data-series='{Seeded.Worker1}']")).ToHaveAttributeAsync("data-label", $"worker {Seeded.Worker1} (alpha)");
            await Expect(page.Locator($"figure[data-chart=workers] path[data-series='{Seeded.Worker2}']")).ToHaveAttributeAsync("data-label", $"worker {Seeded.Worker2} (beta)");
            await Expect(page.Locator("figure[data-chart=workers] .legend span")).ToHaveCountAsync(2);
        }

        await Expect(page.Locator("table[data-table=worker-tally] tbody tr")).ToHaveCountAsync(2);
        await page.ClickAsync("a[data-by=type]");
        await Expect(page.Locator("figure[data-chart=types] path.series")).ToHaveCountAsync(1);
        await Expect(page.Locator("figure[data-chart=workers]")).ToHaveCountAsync(0);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task Scale_FromTheWorkersPage_ChangesTheTarget()
    {
        var ct = TestContext.Current.CancellationToken;
        var (context, page, errors) = await fixture.SignInAsync();
        await using var _ = context;
        await page.GotoAsync(Host.BaseUrl + "/workers");

        await page.FillAsync("form.scale input[name=node]", "alpha");
        await page.FillAsync("form.scale input[name=type]", "demo.parse");
        await page.FillAsync("form.scale input[name=count]", "3");
        await page.ClickAsync("form.scale button[type=submit]");

        var target = page.Locator("table[data-table=targets] tbody tr", new() { HasText = "demo.parse" }).Filter(new() { HasText = "alpha" });
        await Expect(target).ToHaveCountAsync(1);
        await Expect(target.Locator("td").Nth(2)).ToHaveTextAsync("3");
        var stored = await Host.Store.WorkerTargetListAsync("alpha", ct);
        Assert.Equal(3, stored.Single(t => t.Type == "demo.parse").Count);
        // The scale writes the target, then logs the action: the page can show the first before the second is in.
        IReadOnlyList<ActionRow> logged = [];
        await HeavyJobs.TestSupport.MonitorRun.UntilAsync(
            async () => (logged = await Host.Store.ActionListAsync(new ActionListParams(Kind: "scale", Node: "alpha"), ct)).Count > 0,
            TimeSpan.FromSeconds(30),
            ct);
        Assert.Equal("demo.parse = 3", Assert.Single(logged).Reason);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task Terminate_FromTheWorkersPage_QueuesACommandForItsMachine_AndTheActionLogShowsIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var (context, page, errors) = await fixture.SignInAsync();
        await using var _ = context;
        await page.GotoAsync(Host.BaseUrl + "/workers");

        var row = page.Locator($"table[data-table=workers] tr[data-key='{Seeded.Worker2}']");
        await row.GetByRole(AriaRole.Button, new() { Name = "terminate" }).ClickAsync();
        await Expect(page.Locator("#flash")).ToContainTextAsync($"terminate sent to worker {Seeded.Worker2} on beta");

        // What beta's monitor would take on its next step.
        var commands = await Host.Store.CommandTakeAsync(new CommandTakeParams("beta", DateTimeOffset.UtcNow), ct);
        var command = Assert.Single(commands);
        Assert.Equal(CommandKinds.Terminate, command.Kind);
        Assert.Equal(Seeded.Worker2, command.WorkerId);
        Assert.Equal("web:otto", command.Actor);

        await page.GotoAsync($"{Host.BaseUrl}/actions?kind=terminate");
        var logged = page.Locator("table[data-table=actions] tbody tr");
        await Expect(logged).ToHaveCountAsync(1);
        await Expect(logged).ToContainTextAsync("web:otto");
        await Expect(logged.Locator("td").Nth(5)).ToHaveTextAsync(Seeded.Worker2.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task Viewer_SeesNoButtons_AndCannotChangeAnything()
    {
        var (context, page, errors) = await fixture.SignInAsync(Users.Viewer, Users.ViewerPassword);
        await using var _ = context;
        await page.GotoAsync($"{Host.BaseUrl}/jobs/{Seeded.JobId}");
        await Expect(ChunkRow(page, Seeded.Busy2)).ToBeVisibleAsync();
        await Expect(page.Locator("button[data-post]")).ToHaveCountAsync(0);
        await page.GotoAsync(Host.BaseUrl + "/workers");
        await Expect(page.Locator("table[data-table=workers] tbody tr")).Not.ToHaveCountAsync(0);
        await Expect(page.Locator("button[data-post], form.scale")).ToHaveCountAsync(0);
        Assert.True(errors.Count == 0, string.Join("\n", errors));

        // Even a hand-made request from the viewer's own signed-in page is refused.
        var status = await page.EvaluateAsync<int>(
            """
            async url => (await fetch(url, { method: 'POST', headers: {
                [document.querySelector('meta[name=heavyjobs-csrf-header]').content]: document.querySelector('meta[name=heavyjobs-csrf]').content,
                'Content-Type': 'application/json' }, body: '{}' })).status
            """,
            $"/api/jobs/{Seeded.JobId}/cancel");
        Assert.Equal(403, status);
    }

    private static ILocator ChunkRow(IPage page, long chunkId) => page.Locator($"table[data-table=chunks] tr[data-key='{chunkId}']");

    /// <summary>The chunk table's Done column.</summary>
    private static ILocator DoneCell(ILocator row) => row.Locator("td").Nth(4);

    private static Task ShotAsync(IPage page, string name) => BrowserFixtureBase.ShotAsync(page, name);
}
