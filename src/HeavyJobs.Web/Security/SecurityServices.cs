using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;

namespace HeavyJobs.Web.Security;

internal static class SecurityServices
{
    public const string AntiforgeryHeader = "X-HeavyJobs-Csrf";

    /// <summary>Refuses a throttled sign-in attempt with 429 and says when to try again.</summary>
    public static void TooManyAttempts(HttpResponse response, TimeSpan retryAfter)
    {
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public static void AddHeavyJobsSecurity(this IServiceCollection services, WebOptions options)
    {
        services.AddSingleton<BasicCredentialCache>();
        services.AddSingleton<LoginThrottle>();
        var auth = services.AddAuthentication(WebClaims.Scheme);
        if (options.AuthenticationEnabled)
        {
            auth.AddPolicyScheme(WebClaims.Scheme, "HeavyJobs", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.Count > 0 ? WebClaims.HeaderScheme : WebClaims.CookieScheme);
            auth.AddScheme<AuthenticationSchemeOptions, HeaderAuthenticationHandler>(WebClaims.HeaderScheme, null);
            auth.AddCookie(WebClaims.CookieScheme, o =>
            {
                o.Cookie.Name = "heavyjobs_auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.LoginPath = "/login";
                o.LogoutPath = "/logout";
                o.ExpireTimeSpan = TimeSpan.FromHours(12);
                o.SlidingExpiration = true;
                o.Events.OnRedirectToLogin = context => RedirectOrStatus(context, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return Task.CompletedTask;
                };
            });
        }
        else
        {
            auth.AddScheme<AuthenticationSchemeOptions, LocalAuthenticationHandler>(WebClaims.Scheme, null);
        }

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(WebClaims.OperatorPolicy, p => p.RequireAuthenticatedUser().RequireRole(WebClaims.OperatorRole));

        services.AddAntiforgery(o =>
        {
            o.HeaderName = AntiforgeryHeader;
            o.Cookie.Name = "heavyjobs_csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.HttpOnly = true;
        });
    }

    /// <summary>Pages send the browser to the login form; the API and /metrics answer with a status code.</summary>
    private static Task RedirectOrStatus(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments("/api") || path.StartsWithSegments("/metrics") || path.StartsWithSegments("/openapi"))
        {
            context.Response.StatusCode = status;
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"HeavyJobs\", charset=\"UTF-8\"";
        }
        else
        {
            context.Response.Redirect(context.RedirectUri);
        }

        return Task.CompletedTask;
    }
}
