using System.Text.Json;

namespace HeavyJobs.Runtime.Fleet;

/// <summary>
/// A deploy command's argument: the version a machine is to run and, unless it is a rollback to a version the
/// machine already has, the build to install it from (a path every machine can read).
/// </summary>
public sealed record DeployArg(string Version, string? Source, bool Rollback)
{
    public string ToJson() => JsonSerializer.Serialize(this, FleetJsonContext.Default.DeployArg);

    public static DeployArg Parse(string? json) =>
        (json is { Length: > 0 } ? JsonSerializer.Deserialize(json, FleetJsonContext.Default.DeployArg) : null) is { Version.Length: > 0 } arg
            ? arg
            : throw new FormatException($"a deploy command needs a version: '{json}'");
}
