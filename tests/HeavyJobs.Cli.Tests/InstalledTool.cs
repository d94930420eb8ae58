namespace HeavyJobs.Cli.Tests;

/// <summary>
/// Installs the heavyjobs tool once per test class from the feed named by <see cref="FeedVariable"/>, into a
/// folder of its own. The feed is the only package source and the package cache is new, so what runs is the
/// package just packed, never one cached from an earlier build.
/// </summary>
public sealed class InstalledTool : IAsyncLifetime
{
    public const string FeedVariable = "HEAVYJOBS_TEST_FEED";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "heavyjobs-tool-tests", Guid.NewGuid().ToString("N"));
    private string? _problem;

    public async ValueTask InitializeAsync()
    {
        var feed = Environment.GetEnvironmentVariable(FeedVariable);
        if (string.IsNullOrEmpty(feed) || !Directory.Exists(feed))
        {
            var what = string.IsNullOrEmpty(feed) ? "not set" : $"'{feed}', not a folder";
            _problem = $"{FeedVariable} is {what}: it names the feed of packages to install the tool from. ./test.sh packs them into artifacts/feed and sets it; " +
                       $"by hand: dotnet pack HeavyJobs.slnx -c Release -o artifacts/feed && export {FeedVariable}=$PWD/artifacts/feed";
            return;
        }

        Directory.CreateDirectory(_dir);
        var config = Path.Combine(_dir, "nuget.config");
        await FeedConfig.WriteAsync(config, feed, null, TestContext.Current.CancellationToken);
        var (exit, output) = await ToolProcess.RunAsync(
            "dotnet",
            db: null,
            ["tool", "install", "heavyjobs", "--tool-path", Path.Combine(_dir, "tools"), "--configfile", config],
            TestContext.Current.CancellationToken,
            new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(_dir, "packages") });
        if (exit != 0)
        {
            _problem = $"dotnet tool install heavyjobs from {feed} failed ({exit}):\n{output}";
        }
    }

    /// <summary>The installed tool's shim, as a user's PATH would find it; fails the test if it could not be installed.</summary>
    public string Executable()
    {
        if (_problem is not null)
        {
            Assert.Fail(_problem);
        }

        return Path.Combine(_dir, "tools", OperatingSystem.IsWindows() ? "heavyjobs.exe" : "heavyjobs");
    }

    public ValueTask DisposeAsync()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }

        return ValueTask.CompletedTask;
    }
}
