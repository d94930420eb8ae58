using System.Reflection;

namespace HeavyJobs.Cli;

internal static class Version
{
    /// <summary>The code version workers report, so a rolling deploy shows which workers run what.</summary>
    public static string Current { get; } = Short(
        typeof(Version).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0");

    /// <summary>"0.1.0+&lt;40-hex commit&gt;" becomes "0.1.0+&lt;first 10&gt;".</summary>
    private static string Short(string version) =>
        version.IndexOf('+', StringComparison.Ordinal) is var plus and > 0 && version.Length > plus + 11 ? version[..(plus + 11)] : version;
}
