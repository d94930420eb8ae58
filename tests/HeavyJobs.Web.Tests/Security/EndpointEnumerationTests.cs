using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Authorization;

namespace HeavyJobs.Web.Tests.Security;

/// <summary>
/// Every endpoint the running app serves, read from its EndpointDataSource: each change refuses viewers, anonymous
/// callers and requests without the antiforgery token, and the reads are exactly the pinned list below, none of which
/// changes anything. A new endpoint fails here until it is placed in one of the lists on purpose.
/// </summary>
public sealed class EndpointEnumerationTests : IAsyncLifetime
{
    /// <summary>The reads (GET only). Each is requested below and must change nothing in the store.</summary>
    private static readonly string[] ReadOnly =
    [
        "GET /",
        "GET /actions",
        "GET /api/actions",
        "GET /api/chunks/{id:long}",
        "GET /api/chunks/{id:long}/history",
        "GET /api/jobs",
        "GET /api/jobs/{id:long}",
        "GET /api/jobs/{id:long}/aggregates",
        "GET /api/jobs/{id:long}/chunks",
        "GET /api/overview",
        "GET /api/session",
        "GET /api/throughput",
        "GET /api/workers",
        "GET /assets/{name}",
        "GET /healthz",
        "GET /jobs",
        "GET /jobs/{id:long}",
        "GET /jobs/{id:long}/aggregates",
        "GET /login",
        "GET /logout",
        "GET /openapi/{documentName}.json",
        "GET /readyz",
        "GET /throughput",
        "GET /workers",
    ];

    /// <summary>Endpoints that take any method: the Razor pages (a POST runs the page's OnPost, if it has one) and /metrics.</summary>
    private static readonly string[] AnyMethod =
    [
        "ANY /", "ANY /actions", "ANY /jobs", "ANY /jobs/{id:long}", "ANY /jobs/{id:long}/aggregates", "ANY /login", "ANY /logout",
        "ANY /metrics", "ANY /throughput", "ANY /workers",
    ];

    /// <summary>The only pages whose POST changes anything (the session), open to anonymous callers by nature.</summary>
    private static readonly string[] PagesThatPost = ["/login", "/logout"];

    private DashboardHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await DashboardHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void EveryEndpoint_IsARead_AChangeForOperators_OrAPageOrMetrics()
    {
        var all = Endpoints.Of(_host);
        var reads = all.Where(e => e.IsGetOnly && !e.IsPage).Select(e => e.ToString())
            .Concat(all.Where(e => e.IsPage).Select(e => "GET " + e.Route)).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(ReadOnly.Order(StringComparer.Ordinal), reads);
        Assert.Equal(AnyMethod.Order(StringComparer.Ordinal), all.Where(e => e.Methods is null).Select(e => e.ToString()).Order(StringComparer.Ordinal));

        var changes = all.Where(e => e.Methods is not null && !e.IsGetOnly).ToList();
        Assert.True(changes.Count >= 13, $"only {changes.Count} changes found: the walk missed the API");
        foreach (var change in changes)
        {
            Assert.True(change.Methods!.SequenceEqual(["POST"]), $"{change}: changes are POST only");
            Assert.True(change.Route.StartsWith("/api/", StringComparison.Ordinal), $"{change}: changes live under /api");
            Assert.Contains(change.Metadata.GetOrderedMetadata<IAuthorizeData>(), a => a.Policy == "operator");
            Assert.Empty(change.Metadata.GetOrderedMetadata<IAllowAnonymous>());
        }

        // A page's POST is its OnPost handler: only signing in and out have one (the pages that only show answer
        // a POST with 405, from their common base).
        var posting = typeof(HeavyJobsWeb).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(Microsoft.AspNetCore.Mvc.RazorPages.PageModel)))
            .Where(t => t.GetMethods().Any(m => m.DeclaringType != typeof(HeavyJobs.Web.Rendering.LivePage) && m.Name.StartsWith("OnPost", StringComparison.Ordinal) || m.Name.StartsWith("OnPut", StringComparison.Ordinal) || m.Name.StartsWith("OnDelete", StringComparison.Ordinal)))
            .Select(t => "/" + t.Name.Replace("Model", "", StringComparison.Ordinal).ToLowerInvariant())
            .Order(StringComparer.Ordinal);
        Assert.Equal(PagesThatPost, posting);
    }

    [Fact]
    public async Task EveryChange_RefusesViewersAnonymousCallersAndMissingAntiforgery_AndNothingChanges()
    {
        var s = _host.Seeded;
        var changes = Endpoints.Of(_host).Where(e => e.Methods is not null && !e.IsGetOnly).ToList();
        using var viewer = _host.Client(Users.Viewer, Users.ViewerPassword);
        var viewerToken = await SecurityTests.AntiforgeryTokenAsync(viewer);
        using var op = _host.Client(Users.Operator, Users.OperatorPassword);
        using var anonymous = _host.Client();
        using var viewerBearer = _host.Client();
        viewerBearer.DefaultRequestHeaders.Authorization = new("Bearer", Users.ViewerToken);
        var before = await SecurityTests.SnapshotAsync(_host.Store);

        foreach (var change in changes)
        {
            var url = change.Url(s);
            Assert.Equal((change, HttpStatusCode.Forbidden), (change, await StatusAsync(viewer, url, viewerToken)));
            Assert.Equal((change, HttpStatusCode.Forbidden), (change, await StatusAsync(viewerBearer, url, null)));
            Assert.Equal((change, HttpStatusCode.Unauthorized), (change, await StatusAsync(anonymous, url, null)));
            using var noToken = await op.SendAsync(Request(url, null, s), Ct);
            Assert.Equal((change, HttpStatusCode.BadRequest), (change, noToken.StatusCode));
            Assert.Contains("antiforgery", await noToken.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        // The pages: a POST without the token is refused; a viewer's with it changes nothing.
        foreach (var page in Endpoints.Of(_host).Where(e => e.IsPage))
        {
            var url = page.Url(s);
            Assert.Equal((page, HttpStatusCode.BadRequest), (page, await StatusAsync(viewer, url, null)));
            var status = await StatusAsync(viewer, url, viewerToken);
            Assert.True((int)status < 500, $"{page}: {(int)status}");
            if (!PagesThatPost.Contains(page.Route))
            {
                Assert.Equal((page, HttpStatusCode.MethodNotAllowed), (page, status));
            }

            if (!PagesThatPost.Contains(page.Route))
            {
                using var signedOut = await anonymous.SendAsync(Request(url, null, s), Ct);
                Assert.Equal((page, HttpStatusCode.Redirect), (page, signedOut.StatusCode));
                Assert.StartsWith("/login", signedOut.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
            }
        }

        Assert.Equal(before, await SecurityTests.SnapshotAsync(_host.Store));
    }

    [Fact]
    public async Task EveryRead_ChangesNothing()
    {
        var s = _host.Seeded;
        using var op = _host.Client(Users.Operator, Users.OperatorPassword);
        var before = await SecurityTests.SnapshotAsync(_host.Store);
        var reads = Endpoints.Of(_host).Where(e => e.IsGetOnly || e.Methods is null).ToList();
        foreach (var read in reads)
        {
            foreach (var url in new[] { read.Url(s), read.Url(s) + "?limit=1000&all=true&state=failed&range=7d" })
            {
                using var response = await op.GetAsync(url, Ct);
                Assert.True((int)response.StatusCode < 500, $"{url}: {(int)response.StatusCode}");
            }
        }

        Assert.Equal(before, await SecurityTests.SnapshotAsync(_host.Store));
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, string url, string? token)
    {
        using var response = await client.SendAsync(Request(url, token, null), Ct);
        return response.StatusCode;
    }

    /// <summary>A POST whose body suits every change (unknown fields are ignored), so a refusal is never the body's fault.</summary>
    private static HttpRequestMessage Request(string url, string? token, Seeded? s)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = JsonContent.Create(new { to = "zero", ids = new[] { s?.Busy1 ?? 1 }, node = "alpha", type = "demo.fetch", count = 5 }),
        };
        if (token is not null)
        {
            request.Headers.Add(SecurityTests.SecurityServicesHeader, token);
        }

        return request;
    }
}
