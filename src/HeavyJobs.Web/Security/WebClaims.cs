using System.Security.Claims;

namespace HeavyJobs.Web.Security;

/// <summary>The names the dashboard gives its schemes, roles and policies, and what it reads from a signed-in user.</summary>
internal static class WebClaims
{
    public const string Scheme = "heavyjobs";
    public const string CookieScheme = "heavyjobs-cookie";
    public const string HeaderScheme = "heavyjobs-header";
    public const string LocalScheme = "heavyjobs-local";

    public const string OperatorPolicy = "operator";

    public const string ViewerRole = "viewer";
    public const string OperatorRole = "operator";

    /// <summary>How the user proved who they are: "cookie", "basic", "bearer" or "local".</summary>
    public const string Method = "heavyjobs:method";

    public static string RoleName(WebRole role) => role == WebRole.Operator ? OperatorRole : ViewerRole;

    public static ClaimsPrincipal Principal(string name, WebRole role, string method, string scheme) =>
        new(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, RoleName(role)), new Claim(Method, method)],
            scheme,
            ClaimTypes.Name,
            ClaimTypes.Role));

    public static bool IsOperator(this ClaimsPrincipal user) => user.IsInRole(OperatorRole);

    /// <summary>The actor written to the action log for this user's changes.</summary>
    public static string Actor(this ClaimsPrincipal user) => "web:" + (user.Identity?.Name ?? "anonymous");

    /// <summary>
    /// A bearer token is sent by a script, never added by a browser on its own, so a forged cross-site request
    /// cannot carry it; cookies and Basic credentials are sent automatically and need the antiforgery token.
    /// </summary>
    public static bool NeedsAntiforgery(this ClaimsPrincipal user) => user.FindFirst(Method)?.Value != "bearer";
}
