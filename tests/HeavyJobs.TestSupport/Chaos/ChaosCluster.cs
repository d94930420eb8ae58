using System.Diagnostics;
using System.Globalization;

namespace HeavyJobs.TestSupport.Chaos;

/// <summary>
/// The chaos runner's own PostgreSQL cluster ("chaos", port 5434), made and started by scripts/ensure-postgres.sh:
/// restarting it leaves alone the shared "main" cluster other tests use and the outage tests' "outage".
/// </summary>
public static class ChaosCluster
{
    public const string Name = "chaos";
    public const string Port = "5434";

    private static readonly SemaphoreSlim Gate = new(1);

    /// <summary>Serialises runs that restart the cluster, so one's restart does not land in another's run.</summary>
    public static async Task<IDisposable> TakeAsync(CancellationToken ct)
    {
        await Gate.WaitAsync(ct);
        return new Release();
    }

    /// <summary>Makes sure the cluster runs; returns the connection string the script prints.</summary>
    public static async Task<string> EnsureAsync(CancellationToken ct)
    {
        var (exit, output) = await RunAsync(ct, "bash", Path.Combine(MonitorRun.RepoRoot, "scripts", "ensure-postgres.sh"));
        return exit == 0 ? output.Trim().Split('\n')[^1].Trim() : throw new InvalidOperationException("ensure-postgres.sh failed: " + output);
    }

    /// <summary>Restarts the server (fast shutdown: every session ends at once), returning once it accepts connections again.</summary>
    public static async Task RestartAsync(CancellationToken ct)
    {
        var (exit, output) = await RunAsync(ct, "pg_ctlcluster", Version(), Name, "restart", "-m", "fast");
        if (exit != 0)
        {
            throw new InvalidOperationException("pg_ctlcluster restart failed: " + output);
        }
    }

    private static string Version() =>
        Directory.GetDirectories("/usr/lib/postgresql").Select(Path.GetFileName).OrderBy(v => int.Parse(v!, CultureInfo.InvariantCulture)).Last()!;

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
