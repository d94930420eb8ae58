using System.Net;

namespace HeavyJobs.Cli.Tests;

/// <summary>
/// The heavyjobs .NET tool as a user gets it: installed with <c>dotnet tool install</c> from the packages that
/// test.sh packs into a local feed, then run from the tool's own shim.
/// </summary>
public sealed class ToolPackageTests(InstalledTool tool) : IClassFixture<InstalledTool>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InstalledTool_RunsThePrimesDemo_WithWorkerProcessesStartedFromItsShim()
    {
        var heavyjobs = tool.Executable();
        var db = HeavyjobsProcess.NewDbPath();

        // The run finishes only if the monitor could start its workers by re-running the installed tool.
        var (exit, output) = await ToolProcess.RunAsync(
            heavyjobs,
            db,
            ["run", "--pilot", "primes", "--below", "1000000", "--chunk-size", "100000", "--workers", "2", "--urls", "http://127.0.0.1:0"],
            Ct);

        Assert.True(exit == 0, $"exit {exit}:\n{output}");
        Assert.Contains("Primes below 1,000,000: 78,498 (the known answer", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InstalledTool_ServesTheDashboard_PagesAndEmbeddedAssets()
    {
        var heavyjobs = tool.Executable();
        var db = HeavyjobsProcess.NewDbPath();
        await using var web = ToolProcess.Start(heavyjobs, db, ["web", "--urls", "http://127.0.0.1:0"]);
        var address = await web.WaitForLineAsync("dashboard: ", Ct);
        using var http = new HttpClient { BaseAddress = new Uri(address.Split(',')[0].Trim()) };

        using var page = await http.GetAsync(new Uri("/workers", UriKind.Relative), Ct);
        var html = await page.Content.ReadAsStringAsync(Ct);
        using var css = await http.GetAsync(new Uri("/assets/app.css", UriKind.Relative), Ct);
        using var js = await http.GetAsync(new Uri("/assets/app.js", UriKind.Relative), Ct);

        Assert.True(page.StatusCode == HttpStatusCode.OK, $"{page.StatusCode}: {html}\n{web.Output}");
        Assert.Contains("<link rel=\"stylesheet\" href=\"/assets/app.css\">", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
        Assert.NotEmpty(await css.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(HttpStatusCode.OK, js.StatusCode);
        Assert.NotEmpty(await js.Content.ReadAsByteArrayAsync(Ct));
    }
}
