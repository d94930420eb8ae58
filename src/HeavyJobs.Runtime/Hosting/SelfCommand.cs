namespace HeavyJobs.Runtime.Hosting;

/// <summary>How to start this same executable again: as <c>dotnet app.dll</c>, or as its apphost (an installed tool's too).</summary>
public static class SelfCommand
{
    public static IReadOnlyList<string> Current { get; } = Resolve();

    // A single-file or native build has no assembly file: its Location is empty, and the process path alone starts it.
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "An empty Location is handled.")]
    private static string[] Resolve()
    {
        var process = Environment.ProcessPath ?? "dotnet";
        var entry = System.Reflection.Assembly.GetEntryAssembly()?.Location;
        return Path.GetFileNameWithoutExtension(process) == "dotnet" && entry is { Length: > 0 } ? [process, entry] : [process];
    }
}
