namespace HeavyJobs.Web.Tests.Security;

public sealed class SecurityHeadersTests
{
    /// <summary>
    /// Every read the running app serves (walked from its EndpointDataSource, pages, API, assets, /metrics), answered
    /// with a policy that runs no inline script, forbids framing and sniffing, and sends no full referrer elsewhere.
    /// </summary>
    [Fact]
    public async Task EveryAnswer_ForbidsInlineScriptFramingAndSniffing_AndLimitsTheReferrer()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await DashboardHost.StartAsync();
        using var client = host.Client(Users.Viewer, Users.ViewerPassword);
        var reads = Endpoints.Of(host).Where(e => e.IsGetOnly || e.Methods is null).Select(e => e.Url(host.Seeded)).Distinct().ToList();
        Assert.True(reads.Count >= 20, $"only {reads.Count} reads found");
        foreach (var path in reads.Append("/no-such-page"))
        {
            using var response = await client.GetAsync(path, ct);
            Assert.True((int)response.StatusCode < 500, $"{path}: {(int)response.StatusCode}");

            var csp = string.Join(' ', response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
            Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
            Assert.Equal("same-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));

            // And no page carries an inline script the policy would have to allow.
            var body = await response.Content.ReadAsStringAsync(ct);
            if (response.Content.Headers.ContentType?.MediaType == "text/html")
            {
                foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(body, "<script[^>]*>"))
                {
                    Assert.Contains(" src=\"/assets/", m.Value, StringComparison.Ordinal);
                }

                Assert.DoesNotMatch("(?i)\\son[a-z]+\\s*=", body);
            }
        }
    }
}
