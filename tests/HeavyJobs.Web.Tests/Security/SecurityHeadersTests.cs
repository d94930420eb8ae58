namespace HeavyJobs.Web.Tests.Security;

public sealed class SecurityHeadersTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/jobs")]
    [InlineData("/login")]
    [InlineData("/api/overview")]
    [InlineData("/assets/app.js")]
    [InlineData("/metrics")]
    public async Task EveryAnswer_ForbidsInlineScriptFramingAndSniffing(string path)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await DashboardHost.StartAsync();
        using var client = host.Client(Users.Viewer, Users.ViewerPassword);
        using var response = await client.GetAsync(path, ct);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode}");

        var csp = string.Join(' ', response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
    }
}
