using System.Net.Http.Json;
using System.Text.Json;
using HeavyJobs.Whois.Pipeline;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HeavyJobs.Web.Tests;

/// <summary>A WHOIS refresh on the dashboard: each stage's progress, pace and ETA, throughput per stage, and its aggregates.</summary>
[Collection(BrowserFixtureBase.Serial)]
public sealed class PipelineBrowserTests(WhoisRefreshFixture fixture) : IClassFixture<WhoisRefreshFixture>
{
    private DashboardHost Host => fixture.Host;

    [Fact]
    public async Task JobPage_ShowsEachStagesChunksPaceAndEta_TheBarrierAsALowerBound()
    {
        var (context, page, errors) = await fixture.SignInAsync();
        await using var _ = context;
        await page.GotoAsync($"{Host.BaseUrl}/jobs/{fixture.Running}");
        var stages = page.Locator("table[data-table=stages] tbody tr");
        await Expect(stages).ToHaveCountAsync(3);
        await Expect(Cells(stages.Nth(0))).ToHaveTextAsync(["0", "fetch", WhoisPipeline.Fetch, "streaming", "24", "12", "2", "0", "0", "12", "1,200", "1,164", "36", "2.4", "5m 00s"]);
        await Expect(Cells(stages.Nth(1))).ToHaveTextAsync(["1", "parse", WhoisPipeline.Parse, "streaming", "12", "6", "0", "0", "0", "6", "600", "576", "24", "1.2", "5m 00s"]);
        await Expect(Cells(stages.Nth(2))).ToHaveTextAsync(["2", "aggregate", WhoisPipeline.Aggregate, "barrier", "1", "0", "0", "1", "0", "1", "0", "0", "0", "0.0", "≥ 5m 00s"]);
        await Expect(page.Locator("[data-bind='detail.job.eta']")).ToHaveTextAsync("≥ 5m 00s");
        await BrowserFixtureBase.ShotAsync(page, "pipeline-job");

        await page.GotoAsync(Host.BaseUrl + "/");
        var backlog = page.Locator($"table[data-table=backlog] tr[data-key]");
        await Expect(backlog).ToHaveCountAsync(1);
        await Expect(backlog).ToContainTextAsync("fetch");
        await Expect(backlog).ToContainTextAsync("≥ 5m 00s");

        await page.GotoAsync(Host.BaseUrl + "/jobs");
        await Expect(page.Locator("table[data-table=jobs] tbody")).ToContainTextAsync("≥ 5m 00s");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task JobApi_GivesEachStagesProgress_AsTheStatusCommandComputesIt()
    {
        using var client = Host.Client(Users.Viewer, Users.ViewerPassword);
        var job = await client.GetFromJsonAsync<JsonElement>($"/api/jobs/{fixture.Running}", TestContext.Current.CancellationToken);
        var stages = job.GetProperty("stages").EnumerateArray().ToList();
        Assert.Equal(
            [(24L, 12L, 2L, 12L, 2.4, 300.0, false), (12L, 6L, 0L, 6L, 1.2, 300.0, false), (1L, 0L, 0L, 1L, 0.0, 300.0, true)],
            stages.Select(s => (
                s.GetProperty("chunks").GetInt64(),
                s.GetProperty("chunksDone").GetInt64(),
                s.GetProperty("running").GetInt64(),
                s.GetProperty("remaining").GetInt64(),
                s.GetProperty("chunksPerMinute").GetDouble(),
                s.GetProperty("eta").GetProperty("seconds").GetDouble(),
                s.GetProperty("eta").GetProperty("isLowerBound").GetBoolean())));
        Assert.Equal(1, stages[2].GetProperty("waiting").GetInt64());
        Assert.True(job.GetProperty("job").GetProperty("eta").GetProperty("isLowerBound").GetBoolean());

        var finished = await client.GetFromJsonAsync<JsonElement>($"/api/jobs/{fixture.Finished}", TestContext.Current.CancellationToken);
        Assert.All(finished.GetProperty("stages").EnumerateArray(), s => Assert.Equal(0, s.GetProperty("eta").GetProperty("seconds").GetDouble()));
    }

    [Fact]
    public async Task ThroughputByStage_DrawsOneLinePerStage_WithGoodAndBadTallies()
    {
        var (context, page, errors) = await fixture.SignInAsync();
        await using var _ = context;
        await page.GotoAsync(Host.BaseUrl + "/throughput?range=1h");
        await page.ClickAsync("a[data-by=stage]");
        var lines = page.Locator("figure[data-chart=stages] path.series");
        await Expect(lines).ToHaveCountAsync(3);
        Assert.Equal(
            [$"0:{WhoisPipeline.Fetch}", $"1:{WhoisPipeline.Parse}", $"2:{WhoisPipeline.Aggregate}"],
            await lines.EvaluateAllAsync<string[]>("paths => paths.map(p => p.dataset.series)"));
        await Expect(page.Locator($"figure[data-chart=stages] path[data-series='1:{WhoisPipeline.Parse}']")).ToHaveAttributeAsync("data-label", $"parse (stage 1, {WhoisPipeline.Parse})");
        var tally = page.Locator("table[data-table=stage-tally] tbody tr");
        await Expect(tally).ToHaveCountAsync(3);
        // Parse: ten minutes of 30 items with a bad record every other minute, then five of 120 with 5 bad.
        await Expect(Cells(tally.Nth(1))).ToHaveTextAsync([$"parse (stage 1, {WhoisPipeline.Parse})", "900", "870", "30"]);
        await BrowserFixtureBase.ShotAsync(page, "throughput-stages");

        await page.ClickAsync("a[data-by=type]");
        await Expect(page.Locator("figure[data-chart=types] path.series")).ToHaveCountAsync(3);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task ThroughputApi_ByStage_FillsOnlyTheStages()
    {
        using var client = Host.Client(Users.Viewer, Users.ViewerPassword);
        var t = await client.GetFromJsonAsync<JsonElement>("/api/throughput?range=1h&by=stage", TestContext.Current.CancellationToken);
        Assert.Equal("stage", t.GetProperty("by").GetString());
        Assert.Equal(0, t.GetProperty("workers").GetArrayLength());
        var stages = t.GetProperty("stages").EnumerateArray().ToList();
        Assert.Equal(3, stages.Count);
        Assert.All(stages, s => Assert.Equal(s.GetProperty("items").GetInt64(), s.GetProperty("good").GetInt64() + s.GetProperty("bad").GetInt64()));
        var all = await client.GetFromJsonAsync<JsonElement>("/api/throughput?range=1h", TestContext.Current.CancellationToken);
        Assert.Equal((3, 3, 3), (all.GetProperty("workers").GetArrayLength(), all.GetProperty("types").GetArrayLength(), all.GetProperty("stages").GetArrayLength()));
    }

    [Fact]
    public async Task AggregatesPage_ShowsWhatTheRealAggregatorCounted()
    {
        var (context, page, errors) = await fixture.SignInAsync();
        await using var _ = context;
        await page.GotoAsync($"{Host.BaseUrl}/jobs/{fixture.Finished}/aggregates");
        await Expect(page.Locator("table[data-table=aggregate-summary] tbody")).ToContainTextAsync("domains");
        await Expect(page.Locator("table[data-table=aggregate-summary] tbody")).ToContainTextAsync($"{WhoisRefreshFixture.Domains}");
        foreach (var dimension in new[] { "registrar", "expiry_month", "ns_provider", "status", "tld", "error" })
        {
            await Expect(page.Locator($"table[data-table=aggregate-{dimension}] tbody tr").First).ToBeVisibleAsync();
        }

        await BrowserFixtureBase.ShotAsync(page, "aggregates");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    private static ILocator Cells(ILocator row) => row.Locator("td");
}
