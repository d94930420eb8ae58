using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace HeavyJobs.Web.Security;

/// <summary>"Authorization: Basic" (a user's password) or "Authorization: Bearer" (a user's API token).</summary>
internal sealed class HeaderAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    WebOptions web,
    BasicCredentialCache cache)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private const string RetryAfterItem = "heavyjobs:retry-after";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = header["Bearer ".Length..].Trim();
            var user = web.Users.FirstOrDefault(u => WebSecrets.VerifyToken(token, u.TokenHash));
            return Task.FromResult(user is null ? AuthenticateResult.Fail("unknown API token") : Success(user, "bearer"));
        }

        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            var (user, retryAfter) = cache.Verify(header["Basic ".Length..].Trim(), web.Users, Context.Connection.RemoteIpAddress);
            if (retryAfter is { } wait)
            {
                Context.Items[RetryAfterItem] = wait;
                return Task.FromResult(AuthenticateResult.Fail("too many sign-in attempts"));
            }

            return Task.FromResult(user is null ? AuthenticateResult.Fail("wrong user name or password") : Success(user, "basic"));
        }

        return Task.FromResult(AuthenticateResult.NoResult());
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items[RetryAfterItem] is TimeSpan wait)
        {
            SecurityServices.TooManyAttempts(Response, wait);
            return Task.CompletedTask;
        }

        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers[HeaderNames.WWWAuthenticate] = "Basic realm=\"HeavyJobs\", charset=\"UTF-8\"";
        return Task.CompletedTask;
    }

    private AuthenticateResult Success(WebUser user, string method) =>
        AuthenticateResult.Success(new AuthenticationTicket(WebClaims.Principal(user.Name, user.Role, method, Scheme.Name), Scheme.Name));
}

/// <summary>
/// Basic credentials arrive with every request of a polling page; checking the slow password hash each time
/// would cost a core, so a verified header is remembered for a few minutes (by its SHA-256, never in clear).
/// Only the checks that reach the password count against the <see cref="LoginThrottle"/>.
/// </summary>
internal sealed class BasicCredentialCache(TimeProvider time, LoginThrottle throttle)
{
    private static readonly TimeSpan Keep = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, (string User, DateTimeOffset Until)> _verified = new();

    /// <returns>The user, or null for wrong credentials; or how long to wait when throttled.</returns>
    public (WebUser? User, TimeSpan? RetryAfter) Verify(string encoded, IReadOnlyList<WebUser> users, System.Net.IPAddress? client)
    {
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(encoded)));
        var now = time.GetUtcNow();
        if (_verified.TryGetValue(key, out var hit) && hit.Until > now)
        {
            return (users.FirstOrDefault(u => u.Name == hit.User), null);
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
        }
        catch (FormatException)
        {
            return (null, null);
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return (null, null);
        }

        var name = decoded[..colon];
        if (throttle.TryAttempt(client, name) is { } wait)
        {
            return (null, wait);
        }

        var user = users.FirstOrDefault(u => u.Name == name);
        if (user is null || !WebSecrets.VerifyPassword(decoded[(colon + 1)..], user.PasswordHash))
        {
            throttle.Failed(client, name);
            return (null, null);
        }

        if (_verified.Count > 1000)
        {
            _verified.Clear();
        }

        _verified[key] = (user.Name, now + Keep);
        return (user, null);
    }
}
