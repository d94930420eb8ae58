using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using HeavyJobs.Storage.Throughput;

namespace HeavyJobs.Web.Tests;

/// <summary>The metrics and the alert rules, checked by Prometheus' own promtool (Debian's prometheus package).</summary>
public sealed partial class PromtoolTests : IAsyncLifetime
{
    private const string Promtool = "/usr/bin/promtool";

    private DashboardHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await DashboardHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Metrics_PassPromtoolCheckMetrics_AndDescribeTheSeededFleet()
    {
        var text = await ScrapeAsync();

        var (code, output) = await RunAsync(["check", "metrics"], stdin: text);
        Assert.True(code == 0, $"promtool check metrics exited {code}:\n{output}\n--- metrics ---\n{text}");

        Assert.Equal(1, Value(text, """heavyjobs_workers{node="alpha",type="demo.fetch",state="busy"}"""));
        Assert.Equal(0, Value(text, """heavyjobs_workers{node="alpha",type="demo.fetch",state="idle"}"""));
        Assert.Equal(1, Value(text, """heavyjobs_crash_looping{node="beta",type="demo.parse"}"""));
        Assert.Equal(1, Value(text, """heavyjobs_machine_up{node="alpha"}"""));
        Assert.Equal(6, Value(text, """heavyjobs_chunks{job_type="demo.fetch",state="pending"}"""));
        Assert.Equal(8, Value(text, """heavyjobs_backlog_chunks{job_type="demo.fetch"}"""));
        Assert.Equal(620, Value(text, """heavyjobs_backlog_chunks{job_type="demo.scan"}"""));
        Assert.True(Value(text, """heavyjobs_oldest_waiting_chunk_age_seconds{job_type="demo.fetch"}""") >= 3500);
        Assert.Equal(1, Value(text, "heavyjobs_hung_kills_last_hour"));
        Assert.Equal(1, Value(text, "heavyjobs_store_up"));
    }

    [Fact]
    public async Task ItemCounters_GrowByWhatTheWorkersAdd_SinceTheProcessStarted()
    {
        var ct = TestContext.Current.CancellationToken;
        var first = await ScrapeAsync();
        var before = Value(first, """heavyjobs_items_total{type="demo.fetch"}""");
        var goodBefore = Value(first, """heavyjobs_records_good_total{type="demo.fetch"}""");

        var now = DateTimeOffset.UtcNow;
        await _host.Store.ThroughputAddAsync(
            new ThroughputAddParams([new ThroughputSample(now, _host.Seeded.Worker1, Seed.Type, 0, 70, 65, 5), new ThroughputSample(now, _host.Seeded.Worker2, Seed.Type, 0, 30, 30, 0)]),
            ct);

        var second = await ScrapeAsync();
        Assert.Equal(before + 100, Value(second, """heavyjobs_items_total{type="demo.fetch"}"""));
        Assert.Equal(goodBefore + 95, Value(second, """heavyjobs_records_good_total{type="demo.fetch"}"""));
        // A type with work but no samples still has a series, so rate() is 0 rather than absent.
        Assert.Equal(0, Value(second, """heavyjobs_items_total{type="demo.scan"}"""));
    }

    [Fact]
    public async Task AlertRules_PassPromtoolCheckRules()
    {
        var (code, output) = await RunAsync(["check", "rules", Repo.PathOf("docs", "alerts.yml")]);
        Assert.True(code == 0, $"promtool check rules exited {code}:\n{output}");
        Assert.Contains("SUCCESS: 7 rules found", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AlertRules_FireOnlyOnSustainedTrouble()
    {
        var dir = Directory.CreateTempSubdirectory("heavyjobs-alerts-").FullName;
        try
        {
            File.Copy(Repo.PathOf("docs", "alerts.yml"), Path.Combine(dir, "alerts.yml"));
            File.Copy(Path.Combine(AppContext.BaseDirectory, "alerts.test.yml"), Path.Combine(dir, "alerts.test.yml"));
            var (code, output) = await RunAsync(["test", "rules", Path.Combine(dir, "alerts.test.yml")]);
            Assert.True(code == 0, $"promtool test rules exited {code}:\n{output}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private async Task<string> ScrapeAsync()
    {
        using var client = _host.Client();
        client.DefaultRequestHeaders.Authorization = new("Bearer", Users.ViewerToken);
        using var response = await client.GetAsync("/metrics", TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }

    private static double Value(string metrics, string series)
    {
        var match = Regex.Match(metrics, "^" + Regex.Escape(series) + @" (\S+)$", RegexOptions.Multiline);
        Assert.True(match.Success, $"no series {series} in:\n{metrics}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static async Task<(int Code, string Output)> RunAsync(string[] args, string? stdin = null)
    {
        if (!File.Exists(Promtool))
        {
            throw new InvalidOperationException($"{Promtool} is missing: install Debian's prometheus package (apt-get install -y prometheus).");
        }

        var start = new ProcessStartInfo(Promtool) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(stdin ?? "");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
