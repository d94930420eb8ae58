using System.Text.RegularExpressions;

namespace HeavyJobs.Web.Tests.Security;

/// <summary>Signs in through the login form as a browser does: the form's antiforgery token, then the POST.</summary>
internal static partial class SignInForm
{
    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string user, string password)
    {
        var ct = TestContext.Current.CancellationToken;
        var form = await client.GetStringAsync("/login", ct);
        var token = FormToken().Match(form).Groups[1].Value;
        Assert.NotEmpty(token);
        return await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["user"] = user,
            ["password"] = password,
            ["__RequestVerificationToken"] = token,
        }), ct);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();
}
