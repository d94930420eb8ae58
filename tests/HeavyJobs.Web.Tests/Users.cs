using HeavyJobs.Web.Security;

namespace HeavyJobs.Web.Tests;

/// <summary>A viewer and an operator, with passwords and a token known to the tests.</summary>
internal static class Users
{
    public const string Viewer = "vera";
    public const string ViewerPassword = "viewer-secret-1";
    public const string Operator = "otto";
    public const string OperatorPassword = "operator-secret-1";
    public const string OperatorToken = "hj_operator_token_for_tests";
    public const string ViewerToken = "hj_viewer_token_for_tests";

    // Hashing is slow on purpose; do it once for the whole run.
    public static IReadOnlyList<WebUser> All { get; } =
    [
        new WebUser(Viewer, WebRole.Viewer, WebSecrets.HashPassword(ViewerPassword), WebSecrets.HashToken(ViewerToken)),
        new WebUser(Operator, WebRole.Operator, WebSecrets.HashPassword(OperatorPassword), WebSecrets.HashToken(OperatorToken)),
    ];
}
