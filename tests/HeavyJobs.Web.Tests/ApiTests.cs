using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;

namespace HeavyJobs.Web.Tests;

public sealed class ApiTests : IAsyncLifetime
{
    private DashboardHost _host = null!;
    private HttpClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await DashboardHost.StartAsync();
        _client = _host.Client(Users.Viewer, Users.ViewerPassword);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Chunks_ArePagedById_AndEveryPageIsCapped()
    {
        var job = _host.Seeded.BigJobId;
        var first = await GetAsync($"/api/jobs/{job}/chunks?limit=100000");
        var rows = first.GetProperty("chunks");
        Assert.Equal(500, rows.GetArrayLength());
        var next = first.GetProperty("nextAfter").GetInt64();
        Assert.Equal(rows[499].GetProperty("id").GetInt64(), next);

        var second = await GetAsync($"/api/jobs/{job}/chunks?after={next}&limit=100000");
        Assert.Equal(120, second.GetProperty("chunks").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("nextAfter").ValueKind);
        Assert.True(second.GetProperty("chunks")[0].GetProperty("id").GetInt64() > next);

        var pending = await GetAsync($"/api/jobs/{_host.Seeded.JobId}/chunks?state=running");
        Assert.Equal(2, pending.GetProperty("chunks").GetArrayLength());
        var held = pending.GetProperty("chunks").EnumerateArray().Single(c => c.GetProperty("id").GetInt64() == _host.Seeded.Busy1);
        Assert.Equal(_host.Seeded.Worker1, Assert.Single(held.GetProperty("holders").EnumerateArray()).GetInt64());
        Assert.Equal(500, held.GetProperty("done").GetInt64());

        using var bad = await _client.GetAsync($"/api/jobs/{job}/chunks?state=sideways", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var missing = await _client.GetAsync("/api/jobs/999999", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Overview_CountsTheFleet_AndSaysWhatNeedsAttention()
    {
        var o = await GetAsync("/api/overview");
        Assert.Equal(2, o.GetProperty("machinesUp").GetInt32());
        Assert.Equal(2, o.GetProperty("workers").GetProperty("busy").GetInt32());
        var attention = o.GetProperty("attention");
        Assert.True(attention.GetProperty("any").GetBoolean());
        Assert.Equal("demo.parse", Assert.Single(attention.GetProperty("crashLooping").EnumerateArray()).GetProperty("type").GetString());
        Assert.Single(attention.GetProperty("hungKills").EnumerateArray());
        Assert.True(o.GetProperty("throughput").GetProperty("itemsLastHour").GetInt64() > 0);
        var backlog = o.GetProperty("backlog").EnumerateArray().Single(b => b.GetProperty("jobId").GetInt64() == _host.Seeded.JobId);
        Assert.Equal(8, backlog.GetProperty("remaining").GetInt64());
        // Only the monitor's own actions count as automatic.
        Assert.All(o.GetProperty("recentActions").EnumerateArray(), a => Assert.Equal("monitor", a.GetProperty("actor").GetString()));
    }

    [Fact]
    public async Task Workers_ShowEachWorkersOwnVersion_BesideItsMonitors()
    {
        var workers = (await GetAsync("/api/workers")).GetProperty("workers").EnumerateArray()
            .ToDictionary(w => w.GetProperty("node").GetString()!, w => (w.GetProperty("version").GetString(), w.GetProperty("monitorVersion").GetString()));

        Assert.Equal(("0.1.0", "0.1.0"), workers["alpha"]);
        Assert.Equal(("0.2.0", "0.1.0"), workers["beta"]);
    }

    [Fact]
    public async Task Actions_FilterByMachineWorkerChunkAndKind_AndPageBackwards()
    {
        var kills = await GetAsync("/api/actions?kind=hung");
        Assert.Equal("hung", Assert.Single(kills.GetProperty("actions").EnumerateArray()).GetProperty("kind").GetString());
        var alpha = await GetAsync("/api/actions?node=alpha");
        Assert.All(alpha.GetProperty("actions").EnumerateArray(), a => Assert.Equal("alpha", a.GetProperty("node").GetString()));
        var worker = await GetAsync($"/api/actions?worker={_host.Seeded.Worker2}");
        Assert.Single(worker.GetProperty("actions").EnumerateArray());

        var page = await GetAsync("/api/actions?limit=2");
        Assert.Equal(2, page.GetProperty("actions").GetArrayLength());
        var older = await GetAsync($"/api/actions?limit=2&before={page.GetProperty("nextBefore").GetInt64()}");
        Assert.Equal(2, older.GetProperty("actions").GetArrayLength());
        Assert.True(older.GetProperty("actions")[0].GetProperty("id").GetInt64() < page.GetProperty("actions")[1].GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task Throughput_HasOneSeriesPerWorker_WithGoodAndBadTallies()
    {
        var t = await GetAsync("/api/throughput?range=1h");
        Assert.Equal("1h", t.GetProperty("range").GetString());
        var workers = t.GetProperty("workers").EnumerateArray().ToList();
        Assert.Equal(2, workers.Count);
        Assert.All(workers, w => Assert.Equal(w.GetProperty("items").GetInt64(), w.GetProperty("good").GetInt64() + w.GetProperty("bad").GetInt64()));
        Assert.Equal(30, workers[0].GetProperty("points").GetArrayLength());
        Assert.Equal("demo.fetch", Assert.Single(t.GetProperty("types").EnumerateArray()).GetProperty("key").GetString());

        var week = await GetAsync("/api/throughput?range=7d");
        Assert.Equal(7200, week.GetProperty("stepSeconds").GetInt32());
        Assert.True(week.GetProperty("workers")[0].GetProperty("points").GetArrayLength() <= 2);
    }

    [Fact]
    public async Task OpenApi_DescribesEveryApiRoute()
    {
        var doc = await GetAsync("/openapi/v1.json");
        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        string[] expected =
        [
            "/api/overview", "/api/jobs", "/api/jobs/{id}", "/api/jobs/{id}/chunks", "/api/jobs/{id}/aggregates", "/api/chunks/{id}", "/api/workers", "/api/throughput", "/api/actions",
            "/api/session", "/api/chunks/{id}/reset", "/api/chunks/{id}/release", "/api/jobs/{id}/cancel", "/api/jobs/{id}/pause", "/api/jobs/{id}/resume", "/api/workers/{id}/stop",
            "/api/workers/{id}/terminate", "/api/workers/{id}/restart", "/api/nodes/{node}/drain", "/api/nodes/{node}/undrain", "/api/targets", "/healthz", "/readyz",
        ];
        Assert.All(expected, p => Assert.Contains(p, paths));
    }

    [Fact]
    public async Task Release_AQuarantinedChunk_RunsAgainFromItsCheckpoint_AndAChunkNotQuarantinedIsAConflict()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var local = await DashboardHost.StartAsync(authentication: false);
        var store = local.Store;
        var now = TimeProvider.System.GetUtcNow();
        await store.JobInsertAsync(new JobInsertParams("q", [new StageDefinition("main", "q.type", StageMode.Streaming)], "{}", ["{}"], 0, 3, now), ct);
        var chunk = Assert.Single(await store.ChunkClaimAsync(new ChunkClaimParams(99, ["q.type"], 1, now, TimeSpan.FromMinutes(1)), ct));
        await store.ChunkCheckpointAsync(new ChunkCheckpointParams(chunk.Id, chunk.JobId, chunk.Stage, chunk.Epoch, "7", new ChunkCounters(7, 7, 0), [], [], false, now, TimeSpan.FromMinutes(1)), ct);
        await store.ChunkReclaimByWorkerAsync(new ChunkReclaimByWorkerParams(99, "killed", now, QuarantineAfter: 1), ct);
        using var client = local.Client();
        var token = await SecurityTests.AntiforgeryTokenAsync(client);

        using var released = await client.SendAsync(SecurityTests.Post($"/api/chunks/{chunk.Id}/release", token), ct);

        Assert.Equal(HttpStatusCode.OK, released.StatusCode);
        var row = (await store.ChunkGetAsync(chunk.Id, ct))!;
        Assert.Equal((ChunkState.Pending, 0, "7"), (row.State, row.Crashes, row.Cursor));
        Assert.Equal("web:local", Assert.Single(await store.ActionListAsync(new ActionListParams(Kind: ActionKinds.Release, ChunkId: chunk.Id), ct)).Actor);
        using var again = await client.SendAsync(SecurityTests.Post($"/api/chunks/{chunk.Id}/release", token), ct);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task WithoutAuthentication_OnLoopback_TheLocalUserIsAnOperator_AndStillNeedsTheToken()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var local = await DashboardHost.StartAsync(authentication: false);
        using var client = local.Client();
        using var page = await client.GetAsync("/workers", ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);

        using var refused = await client.SendAsync(SecurityTests.Post("/api/nodes/alpha/drain", null), ct);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);

        var token = await SecurityTests.AntiforgeryTokenAsync(client);
        using var drained = await client.SendAsync(SecurityTests.Post("/api/nodes/alpha/drain", token), ct);
        Assert.Equal(HttpStatusCode.OK, drained.StatusCode);
        var answer = await drained.Content.ReadFromJsonAsync<JsonElement>(ct);
        Assert.Equal("alpha: drained", answer.GetProperty("message").GetString());
        var logged = await local.Store.ActionListAsync(new ActionListParams(Kind: "machine-drain"), ct);
        Assert.Equal("web:local", Assert.Single(logged).Actor);
    }

    private async Task<JsonElement> GetAsync(string url) =>
        await _client.GetFromJsonAsync<JsonElement>(url, TestContext.Current.CancellationToken);
}
