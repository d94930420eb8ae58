namespace HeavyJobs.Bench;

/// <summary>The CLI published for this machine into the bench's work folder, with the properties a scenario measures.</summary>
internal static class CliPublish
{
    /// <returns>
    /// The published CLI: its .dll, run with dotnet, or its executable when <paramref name="executable"/> (a
    /// self-contained build, whose .dll under dotnet would run the shared framework, not its own).
    /// </returns>
    public static async Task<string> PublishAsync(BenchContext ctx, string name, bool executable, params string[] properties)
    {
        var output = Path.Combine(ctx.Work, "cli-" + name);
        var project = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ctx.Cli)!, "..", "..", "..", "HeavyJobs.Cli.csproj"));
        await using var publish = Child.Start(
            "dotnet",
            ["publish", project, "-c", "Release", "-r", "linux-x64", .. properties, "-o", output, "-nologo", "-clp:ErrorsOnly"]);
        // Native AOT takes about ten minutes on two cores.
        if (await publish.WaitAsync(TimeSpan.FromMinutes(30)) != 0)
        {
            throw new InvalidOperationException($"the {name} publish failed: {publish.Errors}");
        }

        return Path.Combine(output, executable ? Path.GetFileNameWithoutExtension(ctx.Cli) : Path.GetFileName(ctx.Cli));
    }
}
