namespace HeavyJobs.Web;

/// <summary>
/// A dashboard user. Secrets are kept only as hashes made by <see cref="Security.WebSecrets"/>:
/// a password (for the login form and HTTP Basic) and/or an API token (sent as "Authorization: Bearer").
/// </summary>
public sealed record WebUser(string Name, WebRole Role, string? PasswordHash = null, string? TokenHash = null);

public enum WebRole
{
    /// <summary>Sees everything, changes nothing.</summary>
    Viewer,

    /// <summary>May also reset chunks, steer jobs and workers, and scale types.</summary>
    Operator,
}
