using System.Reflection;

namespace HeavyJobs.Runtime.Hosting;

/// <summary>The code version this process reports for itself and its workers, so a rolling deploy shows which run what.</summary>
public static class AppVersion
{
    /// <summary>
    /// The build's version: its <c>VERSION</c> file when packaging stamped one beside the executable (a release
    /// or build number), else the entry assembly's informational version with its commit cut to ten characters.
    /// </summary>
    public static string Current { get; } = Stamped(AppContext.BaseDirectory) ?? Short(
        (Assembly.GetEntryAssembly() ?? typeof(AppVersion).Assembly).GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0");

    /// <summary>The file in a build folder whose first line, when present, is that build's version.</summary>
    public const string StampFile = "VERSION";

    /// <summary>The version stamped in <paramref name="folder"/>'s <see cref="StampFile"/>, or null.</summary>
    public static string? Stamped(string folder)
    {
        var path = Path.Combine(folder, StampFile);
        return File.Exists(path) && File.ReadLines(path).FirstOrDefault()?.Trim() is { Length: > 0 } v ? v : null;
    }

    /// <summary>The version of the build in <paramref name="folder"/>: its stamp, or its entry assembly's informational version.</summary>
    public static string Of(string folder)
    {
        if (Stamped(folder) is { } stamped)
        {
            return stamped;
        }

        // The entry assembly is the one with a runtimeconfig beside it; one build folder holds one application.
        var config = Directory.GetFiles(folder, "*.runtimeconfig.json").FirstOrDefault()
            ?? throw new InvalidOperationException($"'{folder}' holds no .NET application (no *.runtimeconfig.json) and no {StampFile} file");
        var dll = Path.Combine(folder, Path.GetFileName(config)[..^".runtimeconfig.json".Length] + ".dll");
        var info = System.Diagnostics.FileVersionInfo.GetVersionInfo(dll);
        return Short(info.ProductVersion is { Length: > 0 } p ? p : info.FileVersion ?? "0.0.0");
    }

    /// <summary>"0.1.0+&lt;40-hex commit&gt;" becomes "0.1.0+&lt;first 10&gt;".</summary>
    private static string Short(string version) =>
        version.IndexOf('+', StringComparison.Ordinal) is var plus and > 0 && version.Length > plus + 11 ? version[..(plus + 11)] : version;
}
