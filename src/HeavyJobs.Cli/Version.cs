using System.Reflection;

namespace HeavyJobs.Cli;

internal static class Version
{
    /// <summary>The code version workers report, so a rolling deploy shows which workers run what.</summary>
    public static string Current { get; } =
        typeof(Version).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
}
