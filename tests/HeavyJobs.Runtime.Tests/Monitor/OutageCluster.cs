using System.Diagnostics;

namespace HeavyJobs.Runtime.Tests.Monitor;

/// <summary>
/// A PostgreSQL cluster of the outage tests' own ("outage", port 5433), made and started by
/// scripts/ensure-postgres.sh as the test command makes "main": restarting it leaves the connections of the tests
/// that run beside them on "main" alone.
/// </summary>
internal static class OutageCluster
{
    public const string Name = "outage";
    public const string Port = "5433";

    private static readonly SemaphoreSlim Gate = new(1);

    /// <summary>Serialises the tests that take the cluster down, so one's outage is not in another's measurement.</summary>
    public static async Task<IDisposable> TakeAsync(CancellationToken ct)
    {
        await Gate.WaitAsync(ct);
        return new Release();
    }

    /// <summary>Makes sure the cluster runs; returns the connection string the script prints.</summary>
    public static async Task<string> EnsureAsync(CancellationToken ct)
    {
        var (exit, output) = await RunAsync(ct, "bash", Path.Combine(MonitorRun.RepoRoot, "scripts", "ensure-postgres.sh"));
        Assert.True(exit == 0, output);
        return output.Trim().Split('\n')[^1].Trim();
    }

    /// <summary>Restarts the server (fast shutdown: every session ends at once), returning once it accepts connections again.</summary>
    public static async Task RestartAsync(CancellationToken ct)
    {
        var (exit, output) = await RunAsync(ct, "pg_ctlcluster", Version(), Name, "restart", "-m", "fast");
        Assert.True(exit == 0, output);
    }

    private static string Version() =>
        Directory.GetDirectories("/usr/lib/postgresql").Select(Path.GetFileName).OrderBy(v => int.Parse(v!, System.Globalization.CultureInfo.InvariantCulture)).Last()!;

    private static async Task<(int Exit, string Output)> RunAsync(CancellationToken ct, string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["HEAVYJOBS_PG_CLUSTER"] = Name;
        info.Environment["HEAVYJOBS_PG_PORT"] = Port;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, await output + await error);
    }

    private sealed class Release : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                Gate.Release();
            }
        }
    }
}
