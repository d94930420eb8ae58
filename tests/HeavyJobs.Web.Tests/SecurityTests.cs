using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Throughput;
using HeavyJobs.Storage.Workers;
using HeavyJobs.Web.Security;

namespace HeavyJobs.Web.Tests;

public sealed class SecurityTests : IAsyncLifetime
{
    private DashboardHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await DashboardHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private IReadOnlyList<string> StateChanges => StateChangesFor(_host.Seeded);

    private static IReadOnlyList<string> StateChangesFor(Seeded s) =>
    [
        $"/api/chunks/{s.Busy1}/reset",
        $"/api/chunks/{s.Busy1}/release",
        $"/api/chunks/{s.Busy1}/rewind?to=0",
        $"/api/jobs/{s.JobId}/cancel",
        $"/api/jobs/{s.JobId}/pause",
        $"/api/jobs/{s.JobId}/resume",
        $"/api/workers/{s.Worker1}/stop",
        $"/api/workers/{s.Worker1}/terminate",
        $"/api/workers/{s.Worker1}/restart",
        "/api/nodes/alpha/drain",
        "/api/targets",
    ];

    [Fact]
    public async Task Viewer_Gets403_OnEveryStateChangingEndpoint_EvenWithAValidAntiforgeryToken()
    {
        var ct = TestContext.Current.CancellationToken;
        using var viewer = _host.Client(Users.Viewer, Users.ViewerPassword);
        var token = await AntiforgeryTokenAsync(viewer);
        var before = await SnapshotAsync(_host.Store);

        foreach (var url in StateChanges)
        {
            using var request = Post(url, token);
            using var response = await viewer.SendAsync(request, ct);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{url}: {(int)response.StatusCode}");
        }

        // A viewer's bearer token is no better than its password.
        using var byToken = _host.Client();
        byToken.DefaultRequestHeaders.Authorization = new("Bearer", Users.ViewerToken);
        using var tokenResponse = await byToken.SendAsync(Post(StateChanges[1], null), ct);
        Assert.Equal(HttpStatusCode.Forbidden, tokenResponse.StatusCode);

        Assert.Equal(before, await SnapshotAsync(_host.Store));
    }

    [Fact]
    public async Task Post_WithoutOrWithAWrongAntiforgeryToken_IsRefusedWith400_AndChangesNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        using var op = _host.Client(Users.Operator, Users.OperatorPassword);
        var token = await AntiforgeryTokenAsync(op);
        var before = await SnapshotAsync(_host.Store);

        foreach (var url in StateChanges)
        {
            using var missing = await op.SendAsync(Post(url, null), ct);
            Assert.True(missing.StatusCode == HttpStatusCode.BadRequest, $"{url} without token: {(int)missing.StatusCode}");
            using var wrong = await op.SendAsync(Post(url, "not-the-token"), ct);
            Assert.True(wrong.StatusCode == HttpStatusCode.BadRequest, $"{url} with a wrong token: {(int)wrong.StatusCode}");
        }

        Assert.Equal(before, await SnapshotAsync(_host.Store));

        // The same request with the page's token goes through, and is logged with the operator's name.
        using var ok = await op.SendAsync(Post($"/api/jobs/{_host.Seeded.JobId}/pause", token), ct);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var logged = await _host.Store.ActionListAsync(new ActionListParams(Kind: "pause", JobId: _host.Seeded.JobId), ct);
        Assert.Equal("web:otto", Assert.Single(logged).Actor);
    }

    [Fact]
    public async Task OperatorBearerToken_NeedsNoAntiforgeryToken_BecauseNoBrowserSendsItOnItsOwn()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = _host.Client();
        client.DefaultRequestHeaders.Authorization = new("Bearer", Users.OperatorToken);
        using var response = await client.SendAsync(Post($"/api/jobs/{_host.Seeded.BigJobId}/pause", null), ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Core.Model.JobState.Paused, (await _host.Store.JobGetAsync(_host.Seeded.BigJobId, ct))!.State);
    }

    [Fact]
    public async Task Anonymous_GetsTheLoginPage_OrA401_AndAWrongPasswordIsRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        using var anonymous = _host.Client();
        using var page = await anonymous.GetAsync("/jobs", ct);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/login", page.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        using var api = await anonymous.GetAsync("/api/overview", ct);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        using var metrics = await anonymous.GetAsync("/metrics", ct);
        Assert.Equal(HttpStatusCode.Unauthorized, metrics.StatusCode);
        using var health = await anonymous.GetAsync("/healthz", ct);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var ready = await anonymous.GetAsync("/readyz", ct);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);

        using var wrong = _host.Client(Users.Operator, "guess");
        using var refused = await wrong.GetAsync("/api/overview", ct);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task UserText_IsShownEncoded_NeverAsMarkup()
    {
        var ct = TestContext.Current.CancellationToken;
        using var op = _host.Client(Users.Operator, Users.OperatorPassword);
        var html = await op.GetStringAsync($"/jobs/{_host.Seeded.JobId}", ct);

        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain(Seed.Script, html, StringComparison.Ordinal);
        // The page's only script element is the dashboard's own.
        Assert.Equal(1, CountOf(html, "<script"));
        Assert.Contains("<script src=\"/assets/app.js\" defer></script>", html, StringComparison.Ordinal);

        var overview = await op.GetStringAsync("/", ct);
        Assert.Contains("Unhandled exception &lt;b&gt;boom&lt;/b&gt;", overview, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>boom</b>", overview, StringComparison.Ordinal);

        // The script only ever writes data as text.
        var script = await op.GetStringAsync("/assets/app.js", ct);
        Assert.DoesNotContain("innerHTML", script, StringComparison.Ordinal);
        Assert.DoesNotContain("insertAdjacentHTML", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryGet_ChangesNothingInTheStore()
    {
        var ct = TestContext.Current.CancellationToken;
        using var op = _host.Client(Users.Operator, Users.OperatorPassword);
        var s = _host.Seeded;
        var before = await SnapshotAsync(_host.Store);
        string[] gets =
        [
            "/", "/jobs", "/jobs?state=active", $"/jobs/{s.JobId}", $"/jobs/{s.JobId}?state=failed", "/workers", "/workers?all=true", "/throughput?range=7d",
            "/actions?kind=kill", "/login", "/logout", "/api/overview", "/api/jobs", $"/api/jobs/{s.JobId}", $"/api/jobs/{s.JobId}/chunks?limit=1000",
            $"/api/chunks/{s.Busy1}", "/api/workers", "/api/throughput?range=24h", "/api/actions?node=beta", "/api/session", "/metrics", "/openapi/v1.json",
            "/healthz", "/readyz", $"/api/chunks/{s.Busy1}/reset", $"/api/jobs/{s.JobId}/cancel", "/api/nodes/alpha/drain",
        ];
        foreach (var url in gets)
        {
            using var response = await op.GetAsync(url, ct);
            Assert.True((int)response.StatusCode < 500, $"{url}: {(int)response.StatusCode}");
        }

        Assert.Equal(before, await SnapshotAsync(_host.Store));
    }

    [Theory]
    [InlineData("http://0.0.0.0:8080")]
    [InlineData("http://*:8080")]
    [InlineData("http://127.0.0.1:8080;http://[::]:8080")]
    [InlineData("http://dashboard.example:8080")]
    public async Task BoundBeyondLoopback_WithoutAuthentication_RefusesToStart(string urls)
    {
        await using var store = new Storage.Sqlite.SqliteStore(Path.Combine(Path.GetTempPath(), $"hj-refuse-{Guid.NewGuid():N}.db"));
        var e = Assert.Throws<InvalidOperationException>(() => HeavyJobsWeb.Build(store, new WebOptions { Urls = urls }, TimeProvider.System));
        Assert.Contains("Refusing to start the dashboard", e.Message, StringComparison.Ordinal);
        Assert.Contains("without authentication", e.Message, StringComparison.Ordinal);

        // With users it may listen anywhere; on loopback it may run without them.
        await using var open = HeavyJobsWeb.Build(store, new WebOptions { Urls = urls, Users = Users.All, AllowedHosts = ["dashboard.example"] }, TimeProvider.System);
        await using var local = HeavyJobsWeb.Build(store, new WebOptions { Urls = "http://127.0.0.1:0;http://localhost:0;http://[::1]:0" }, TimeProvider.System);
    }

    [Fact]
    public void Secrets_VerifyOnlyTheRightPasswordAndToken()
    {
        var hash = WebSecrets.HashPassword("s3cret");
        Assert.True(WebSecrets.VerifyPassword("s3cret", hash));
        Assert.False(WebSecrets.VerifyPassword("s3cret!", hash));
        Assert.False(WebSecrets.VerifyPassword("s3cret", "garbage"));
        var token = WebSecrets.NewToken();
        Assert.True(WebSecrets.VerifyToken(token, WebSecrets.HashToken(token)));
        Assert.False(WebSecrets.VerifyToken(token + "x", WebSecrets.HashToken(token)));
    }

    internal static async Task<string> AntiforgeryTokenAsync(HttpClient client)
    {
        var session = await client.GetFromJsonAsync<JsonElement>("/api/session", TestContext.Current.CancellationToken);
        Assert.Equal(SecurityServicesHeader, session.GetProperty("antiforgeryHeader").GetString());
        return session.GetProperty("antiforgeryToken").GetString()!;
    }

    internal const string SecurityServicesHeader = "X-HeavyJobs-Csrf";

    internal static HttpRequestMessage Post(string url, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = url.EndsWith("/targets", StringComparison.Ordinal)
                ? JsonContent.Create(new { node = "alpha", type = "demo.fetch", count = 5 })
                : JsonContent.Create(new { to = "zero" }),
        };
        if (token is not null)
        {
            request.Headers.Add(SecurityServicesHeader, token);
        }

        return request;
    }

    /// <summary>Everything the dashboard could change, as one comparable text.</summary>
    internal static async Task<string> SnapshotAsync(IHeavyStore store)
    {
        var ct = TestContext.Current.CancellationToken;
        var now = DateTimeOffset.UtcNow;
        var jobs = await store.JobListAsync(new JobListParams(1000), ct);
        var chunks = new List<ChunkRow>();
        foreach (var job in jobs)
        {
            chunks.AddRange(await store.ChunkListAsync(new ChunkListParams(job.Job.Id, Limit: 100_000), ct));
        }

        return JsonSerializer.Serialize(new
        {
            jobs = jobs.Select(j => new { j.Job, j.ChunksByState, j.Counters }),
            chunks,
            actions = await store.ActionListAsync(new ActionListParams(10_000), ct),
            workers = await store.WorkerListAsync(new WorkerListParams(IncludeExited: true), ct),
            targets = await store.WorkerTargetListAsync(null, ct),
            nodes = await store.NodeListAsync(ct),
            throughput = await store.ThroughputListAsync(new ThroughputListParams(now - TimeSpan.FromDays(8), now + TimeSpan.FromDays(1)), ct),
        });
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.OrdinalIgnoreCase); i >= 0; i = text.IndexOf(part, i + 1, StringComparison.OrdinalIgnoreCase))
        {
            count++;
        }

        return count;
    }
}
