using System.Net;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Sqlite;

namespace HeavyJobs.Web.Tests.Security;

/// <summary>
/// DNS rebinding: a page on evil.example whose name is pointed at 127.0.0.1 talks to the dashboard with
/// "Host: evil.example". Without users that would make it the local operator, so such a request must get nothing.
/// </summary>
public sealed class HostAllowListTests
{
    private static readonly string[] EveryKindOfPath =
    [
        "/", "/jobs", "/workers", "/login", "/api/session", "/api/overview", "/metrics", "/openapi/v1.json",
        "/assets/app.js", "/healthz", "/readyz",
    ];

    [Fact]
    public async Task ForeignHost_WithoutUsers_Gets400WithNoTokenOnEveryPath_AndItsPostChangesNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await DashboardHost.StartAsync(authentication: false);
        using var client = host.Client();
        var port = new Uri(host.BaseUrl).Port;

        foreach (var path in EveryKindOfPath)
        {
            using var response = await client.SendAsync(Get(path, $"evil.example:{port}"), ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {(int)response.StatusCode}");
            Assert.DoesNotContain("csrf", body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("antiforgery", body, StringComparison.OrdinalIgnoreCase);
            Assert.False(response.Headers.Contains("Set-Cookie"), $"{path} set a cookie");
        }

        // Even with a token the page got while the name still pointed elsewhere, a change is refused.
        var token = await SecurityTests.AntiforgeryTokenAsync(client);
        using var post = SecurityTests.Post($"/api/jobs/{host.Seeded.JobId}/pause", token);
        post.Headers.Host = $"evil.example:{port}";
        using var refused = await client.SendAsync(post, ct);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(JobState.Active, (await host.Store.JobGetAsync(host.Seeded.JobId, ct))!.State);

        // The same change under the dashboard's own name goes through: the refusal above was the host's doing.
        using var allowed = await client.SendAsync(SecurityTests.Post($"/api/jobs/{host.Seeded.JobId}/pause", token), ct);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("LOCALHOST")]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]")]
    public async Task LoopbackNames_AreAnsweredByDefault(string name)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await DashboardHost.StartAsync(authentication: false);
        using var client = host.Client();
        var port = new Uri(host.BaseUrl).Port;

        foreach (var path in new[] { "/", "/api/session", "/healthz" })
        {
            using var response = await client.SendAsync(Get(path, $"{name}:{port}"), ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{name} {path}: {(int)response.StatusCode}");
        }

        using var page = await client.SendAsync(Get("/", name), ct);
        Assert.Contains("heavyjobs-csrf", await page.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfiguredNames_AreAnswered_AndNothingBeyondThem()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await DashboardHost.StartAsync(allowedHosts: ["dashboard.example", "*.ops.example"]);
        using var client = host.Client(Users.Operator, Users.OperatorPassword);
        var port = new Uri(host.BaseUrl).Port;

        foreach (var name in new[] { "dashboard.example", $"dashboard.example:{port}", "eu.ops.example", "localhost" })
        {
            using var response = await client.SendAsync(Get("/api/session", name), ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{name}: {(int)response.StatusCode}");
        }

        foreach (var name in new[] { "evil.example", "dashboard.example.evil.example", "eu.dashboard.example", "ops.example.evil" })
        {
            using var response = await client.SendAsync(Get("/api/session", name), ct);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name}: {(int)response.StatusCode}");
        }
    }

    [Theory]
    [InlineData("http://0.0.0.0:8080", "", "say which host names")]
    [InlineData("http://127.0.0.1:0", "*", "without authentication")]
    [InlineData("http://127.0.0.1:0", "http://dashboard.example", "is not a host name")]
    [InlineData("http://127.0.0.1:0", "dashboard.example:8080", "is not a host name")]
    public async Task UnsafeOrMalformedAllowList_RefusesToStart(string urls, string allowed, string reason)
    {
        await using var store = new SqliteStore(Path.Combine(Path.GetTempPath(), $"hj-hosts-{Guid.NewGuid():N}.db"));
        var users = urls.Contains("0.0.0.0", StringComparison.Ordinal) ? Users.All : [];
        var e = Assert.Throws<InvalidOperationException>(() => HeavyJobsWeb.Build(
            store, new WebOptions { Urls = urls, Users = users, AllowedHosts = allowed.Length == 0 ? [] : [allowed] }, TimeProvider.System));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyName_IsAcceptedWhenAskedFor_WithUsers()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await DashboardHost.StartAsync(allowedHosts: ["*"]);
        using var client = host.Client(Users.Viewer, Users.ViewerPassword);
        using var response = await client.SendAsync(Get("/api/session", "whatever.example"), ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static HttpRequestMessage Get(string path, string hostHeader) =>
        new(HttpMethod.Get, path) { Headers = { Host = hostHeader } };
}
