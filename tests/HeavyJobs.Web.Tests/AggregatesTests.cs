using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;

namespace HeavyJobs.Web.Tests;

/// <summary>The aggregates page over the outputs of an aggregating stage, in the WHOIS pilot's "dimension|value" form.</summary>
public sealed class AggregatesTests : IAsyncLifetime
{
    private DashboardHost _host = null!;
    private long _job;

    public async ValueTask InitializeAsync()
    {
        _host = await DashboardHost.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        var now = DateTimeOffset.UtcNow;
        var store = _host.Store;
        _job = (await store.JobInsertAsync(new JobInsertParams("whois refresh", [new StageDefinition("aggregate", "whois.aggregate", StageMode.Streaming)], "{}", ["{}"], 0, 3, now), ct)).JobId;
        var worker = await store.WorkerRegisterAsync(new Storage.Workers.WorkerRegisterParams("alpha", 1, ["whois.aggregate"], "1", 0, now), ct);
        var chunk = (await store.ChunkClaimAsync(new ChunkClaimParams(worker, ["whois.aggregate"], 1, now, Seed.Lease), ct)).Single();
        ChunkOutput[] outputs =
        [
            new("summary|domains", "10"), new("summary|registered", "7"), new("summary|not-found", "2"), new("summary|bad", "1"),
            new("registrar|Example Registrar, Inc.", "5"), new("registrar|" + Seed.Script, "2"),
            new("expiry_month|2027-01", "4"), new("expiry_month|2027-03", "3"),
            new("tld|com", "6"), new("tld|net", "4"),
            new("error|unparseable answer from whois.example", "1"),
            new("not an aggregate", "x"),
        ];
        await store.ChunkCheckpointAsync(new ChunkCheckpointParams(chunk.Id, chunk.JobId, chunk.Stage, chunk.Epoch, "aggregated", new ChunkCounters(10, 10, 0), outputs, [], true, now, Seed.Lease), ct);
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Api_GivesEachDimension_LargestFirst_SummaryFirst_AndSkipsOutputsThatAreNotCounts()
    {
        using var client = _host.Client(Users.Viewer, Users.ViewerPassword);
        var a = await client.GetFromJsonAsync<JsonElement>($"/api/jobs/{_job}/aggregates", TestContext.Current.CancellationToken);
        Assert.Equal("aggregate", a.GetProperty("stageName").GetString());
        Assert.Equal(1, a.GetProperty("skipped").GetInt64());
        var dimensions = a.GetProperty("dimensions").EnumerateArray().ToList();
        Assert.Equal(["summary", "error", "expiry_month", "registrar", "tld"], dimensions.Select(d => d.GetProperty("name").GetString()));
        var registrar = dimensions.Single(d => d.GetProperty("name").GetString() == "registrar");
        Assert.Equal(7, registrar.GetProperty("total").GetInt64());
        var first = registrar.GetProperty("rows")[0];
        Assert.Equal(("Example Registrar, Inc.", 5L, 71.4), (first.GetProperty("value").GetString(), first.GetProperty("count").GetInt64(), first.GetProperty("percent").GetDouble()));

        using var missing = await client.GetAsync("/api/jobs/999999/aggregates", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Api_ReadsEveryOutput_OfAStageWithMoreCountsThanOnePage()
    {
        // A million-domain refresh writes ~171,000 counts, most of them name-server providers: the dimensions after
        // them in key order, and a provider's largest count among the last written, must still be read.
        var ct = TestContext.Current.CancellationToken;
        var now = DateTimeOffset.UtcNow;
        var store = _host.Store;
        var job = (await store.JobInsertAsync(new JobInsertParams("big refresh", [new StageDefinition("aggregate", "whois.aggregate", StageMode.Streaming)], "{}", ["{}"], 0, 3, now), ct)).JobId;
        var worker = await store.WorkerRegisterAsync(new Storage.Workers.WorkerRegisterParams("beta", 2, ["whois.aggregate"], "1", 0, now), ct);
        var chunk = (await store.ChunkClaimAsync(new ChunkClaimParams(worker, ["whois.aggregate"], 1, now, Seed.Lease), ct)).Single(c => c.JobId == job);
        var providers = Enumerable.Range(0, 120_000).Select(i => new ChunkOutput($"ns_provider|dns-{i:D6}.example", "1"));
        ChunkOutput[] after = [new("ns_provider|largest.example", "500"), new("summary|domains", "120500"), new("tld|com", "120500")];
        await store.ChunkCheckpointAsync(new ChunkCheckpointParams(chunk.Id, chunk.JobId, chunk.Stage, chunk.Epoch, "aggregated", new ChunkCounters(1, 1, 0), [.. providers, .. after], [], true, now, Seed.Lease), ct);

        using var client = _host.Client(Users.Viewer, Users.ViewerPassword);
        var a = await client.GetFromJsonAsync<JsonElement>($"/api/jobs/{job}/aggregates?top=2", ct);

        var dimensions = a.GetProperty("dimensions").EnumerateArray().ToDictionary(d => d.GetProperty("name").GetString()!);
        Assert.Equal(["summary", "ns_provider", "tld"], dimensions.Keys);
        Assert.Equal(120_500, dimensions["summary"].GetProperty("total").GetInt64());
        var providerCounts = dimensions["ns_provider"];
        Assert.Equal((120_001L, 120_500L), (providerCounts.GetProperty("values").GetInt64(), providerCounts.GetProperty("total").GetInt64()));
        Assert.Equal(["largest.example", "dns-000000.example"], providerCounts.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("value").GetString()));
    }

    [Fact]
    public async Task Page_ShowsEveryDimension_WithValuesAsText()
    {
        using var client = _host.Client(Users.Viewer, Users.ViewerPassword);
        var html = await client.GetStringAsync($"/jobs/{_job}/aggregates", TestContext.Current.CancellationToken);
        Assert.Contains("data-table=\"aggregate-registrar\"", html, StringComparison.Ordinal);
        Assert.Contains("Example Registrar, Inc.", html, StringComparison.Ordinal);
        Assert.Contains("2027-01", html, StringComparison.Ordinal);
        Assert.DoesNotContain(Seed.Script, html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
    }
}
