using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace HeavyJobs.Web.Tests.Security;

public sealed class SessionExpiryTests
{
    [Fact]
    public async Task SignInCookie_LastsTwelveHoursSinceItWasLastRenewed_ThenTheApiAnswers401()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await DashboardHost.StartAsync(time: time);
        using var browser = host.Client();
        using (var signIn = await SignInForm.PostAsync(browser, Users.Operator, Users.OperatorPassword))
        {
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, await SessionAsync(browser, ct));

        // Past half its life, a request renews the cookie; so 14 hours after signing in it still works.
        time.Advance(TimeSpan.FromHours(7));
        Assert.Equal(HttpStatusCode.OK, await SessionAsync(browser, ct));
        time.Advance(TimeSpan.FromHours(7));
        Assert.Equal(HttpStatusCode.OK, await SessionAsync(browser, ct));

        // Twelve hours without a request end it.
        time.Advance(TimeSpan.FromHours(12) + TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.Unauthorized, await SessionAsync(browser, ct));
        using var page = await browser.GetAsync("/jobs", ct);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/login", page.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    private static async Task<HttpStatusCode> SessionAsync(HttpClient client, CancellationToken ct)
    {
        using var response = await client.GetAsync("/api/session", ct);
        return response.StatusCode;
    }
}
