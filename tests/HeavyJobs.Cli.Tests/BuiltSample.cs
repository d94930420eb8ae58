namespace HeavyJobs.Cli.Tests;

/// <summary>
/// The sample application (samples/HelloHeavyJobs and its tests) copied out of the repository and built the way a
/// user builds it: package references only, restored with the local feed as the only package source. Packages
/// this machine already downloaded are read from its package folder as a read-only fallback, and the package
/// cache is new, so the HeavyJobs packages come from the feed just packed, never from a cache.
/// </summary>
public sealed class BuiltSample : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "heavyjobs-sample-tests", Guid.NewGuid().ToString("N"));
    private string? _problem;

    public string Root => Path.Combine(_dir, "samples");

    public IReadOnlyDictionary<string, string> Environment { get; private set; } = new Dictionary<string, string>();

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var feed = System.Environment.GetEnvironmentVariable(InstalledTool.FeedVariable);
        if (string.IsNullOrEmpty(feed) || !Directory.Exists(feed))
        {
            _problem = $"{InstalledTool.FeedVariable} is not set or not a folder: ./test.sh packs the packages into artifacts/feed and sets it";
            return;
        }

        Copy(Path.Combine(HeavyjobsProcess.RepoRoot, "samples"), Root);
        var (_, locals) = await ToolProcess.RunAsync("dotnet", null, ["nuget", "locals", "global-packages", "--list"], ct);
        var downloaded = locals.Split(':', 2)[1].Trim();
        await FeedConfig.WriteAsync(Path.Combine(Root, "nuget.config"), feed, downloaded, ct);
        Environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(_dir, "packages") };
        var (exit, output) = await ToolProcess.RunAsync("dotnet", null, ["build", Path.Combine(Root, "HelloHeavyJobs.Tests"), "-nologo", "-clp:ErrorsOnly"], ct, Environment);
        if (exit != 0)
        {
            _problem = $"the sample did not build from the feed alone ({exit}):\n{output}";
        }
    }

    /// <summary>Fails the test if the sample could not be built.</summary>
    public void Check()
    {
        if (_problem is not null)
        {
            Assert.Fail(_problem);
        }
    }

    public ValueTask DisposeAsync()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }

        return ValueTask.CompletedTask;
    }

    private static void Copy(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(to, relative))!);
            File.Copy(file, Path.Combine(to, relative));
        }
    }
}
