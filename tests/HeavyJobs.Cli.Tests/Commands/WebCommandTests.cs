using System.Net;
using System.Text.RegularExpressions;

namespace HeavyJobs.Cli.Tests.Commands;

public sealed partial class WebCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Web_AllowedHosts_AnswersTheNamedHostAndLoopback_AndRefusesOthers()
    {
        var db = HeavyjobsProcess.NewDbPath();
        var (process, output) = HeavyjobsProcess.Start(db, "web", "--urls", "http://127.0.0.1:0", "--allowed-hosts", "dashboard.example, *.ops.example");
        try
        {
            var url = await DashboardUrlAsync(process, output);
            using var client = new HttpClient { BaseAddress = new Uri(url) };
            foreach (var (name, expected) in new[]
            {
                ("dashboard.example", HttpStatusCode.OK), ("eu.ops.example", HttpStatusCode.OK), ("localhost", HttpStatusCode.OK),
                ("evil.example", HttpStatusCode.BadRequest),
            })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/session") { Headers = { Host = name } };
                using var response = await client.SendAsync(request, Ct);
                Assert.True(response.StatusCode == expected, $"{name}: {(int)response.StatusCode}");
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            process.Dispose();
        }
    }

    [Fact]
    public async Task Web_OffLoopbackWithoutAllowedHosts_RefusesToStart_AndSaysWhatToAdd()
    {
        var db = HeavyjobsProcess.NewDbPath();
        var users = Path.Combine(Path.GetDirectoryName(db)!, "users.json");
        await File.WriteAllTextAsync(users, """[{ "name": "ada", "role": "operator", "tokenHash": "sha256$00" }]""", Ct);

        var (exit, _, err) = await HeavyjobsProcess.RunAsync(db, Ct, "web", "--urls", "http://0.0.0.0:0", "--users", users);

        Assert.Equal(2, exit);
        Assert.Contains("--allowed-hosts", err, StringComparison.Ordinal);
    }

    /// <summary>Waits for the line the command prints once it listens; a real process, so a generous deadline.</summary>
    private static async Task<string> DashboardUrlAsync(System.Diagnostics.Process process, System.Text.StringBuilder output)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            string text;
            lock (output)
            {
                text = output.ToString();
            }

            if (DashboardLine().Match(text) is { Success: true } match)
            {
                return match.Groups[1].Value;
            }

            await Task.Delay(50, Ct);
        }

        lock (output)
        {
            throw new InvalidOperationException($"heavyjobs web did not say where it listens: {output}");
        }
    }

    [GeneratedRegex(@"dashboard: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex DashboardLine();
}
