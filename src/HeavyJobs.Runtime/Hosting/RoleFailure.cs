namespace HeavyJobs.Runtime.Hosting;

/// <summary>
/// Why a role stopped its host on purpose (a second monitor for a machine name that is taken): the host stops,
/// and the command that ran it prints the message and exits with the code.
/// </summary>
public sealed class RoleFailure
{
    /// <summary>The exit code of a monitor whose machine name another live monitor holds.</summary>
    public const int NameTaken = 3;

    /// <summary>
    /// The exit code of a monitor that a deploy switched to another version: its unit (or run script) starts it
    /// again from the install root's <c>current</c>, which now names that version.
    /// </summary>
    public const int Redeploy = 75;

    public string? Message { get; private set; }

    public int ExitCode { get; private set; }

    public void Set(string message, int exitCode)
    {
        Message = message;
        ExitCode = exitCode;
    }
}
