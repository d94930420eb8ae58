using System.Net;
using HeavyJobs.Web.Security;

namespace HeavyJobs.Web.Tests.Security;

public sealed class LoginThrottleTests
{
    [Fact]
    public async Task LoginForm_AfterTheUsersAttemptsRunOut_RefusesEvenTheRightPasswordWith429_ButOtherUsersSignIn()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await DashboardHost.StartAsync();
        using var guesser = host.Client();
        for (var i = 0; i < LoginThrottle.PerUser; i++)
        {
            using var wrong = await SignInForm.PostAsync(guesser, Users.Operator, $"guess-{i}");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var throttled = await SignInForm.PostAsync(guesser, Users.Operator, Users.OperatorPassword);
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.True(throttled.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After");
        Assert.Contains("Too many sign-in attempts", await throttled.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        using (var api = await guesser.GetAsync("/api/session", ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        }

        using var other = host.Client();
        using var signedIn = await SignInForm.PostAsync(other, Users.Viewer, Users.ViewerPassword);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
    }

    [Fact]
    public async Task SigningInRightOften_SpendsNoAttempt()
    {
        await using var host = await DashboardHost.StartAsync();
        for (var i = 0; i < LoginThrottle.PerUser * 2; i++)
        {
            using var client = host.Client();
            using var signedIn = await SignInForm.PostAsync(client, Users.Operator, Users.OperatorPassword);
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        }
    }

    [Fact]
    public async Task OneClient_TryingManyNames_IsRefusedWith429()
    {
        await using var host = await DashboardHost.StartAsync();
        using var client = host.Client();
        for (var i = 0; i < LoginThrottle.PerClient; i++)
        {
            using var wrong = await SignInForm.PostAsync(client, $"nobody{i}", "guess");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var throttled = await SignInForm.PostAsync(client, Users.Viewer, Users.ViewerPassword);
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
    }

    [Fact]
    public async Task HttpBasic_CountsAgainstTheSameLimit()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await DashboardHost.StartAsync();
        for (var i = 0; i < LoginThrottle.PerUser; i++)
        {
            using var guess = host.Client(Users.Operator, $"guess-{i}");
            using var wrong = await guess.GetAsync("/api/overview", ct);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var right = host.Client(Users.Operator, Users.OperatorPassword);
        using var throttled = await right.GetAsync("/api/overview", ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.NotNull(throttled.Headers.RetryAfter);

        using var viewer = host.Client(Users.Viewer, Users.ViewerPassword);
        using var ok = await viewer.GetAsync("/api/overview", ct);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }
}
