using System.Reflection;

namespace HeavyJobs.Runtime.Hosting;

/// <summary>The code version this process reports for itself and its workers, so a rolling deploy shows which run what.</summary>
public static class AppVersion
{
    /// <summary>The entry assembly's informational version, with its commit cut to ten characters.</summary>
    public static string Current { get; } = Short(
        (Assembly.GetEntryAssembly() ?? typeof(AppVersion).Assembly).GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0");

    /// <summary>"0.1.0+&lt;40-hex commit&gt;" becomes "0.1.0+&lt;first 10&gt;".</summary>
    private static string Short(string version) =>
        version.IndexOf('+', StringComparison.Ordinal) is var plus and > 0 && version.Length > plus + 11 ? version[..(plus + 11)] : version;
}
