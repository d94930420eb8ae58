using System.Diagnostics;
using System.Globalization;

namespace HeavyJobs.TestSupport;

/// <summary>
/// A PostgreSQL cluster of a few tests' own, made and started by scripts/ensure-postgres.sh as the test command
/// makes "main": restarting it leaves alone the connections of the tests that run beside them on "main". The
/// outage tests have "outage" (port 5433), the chaos runner "chaos" (port 5434), the network partition's test
/// "partition" (port 5435), which also listens on a network namespace's link.
/// </summary>
public sealed class PrivateCluster
{
    public static readonly PrivateCluster Outage = new("outage", "5433");

    public static readonly PrivateCluster Chaos = new("chaos", "5434");

    public static readonly PrivateCluster Partition = new("partition", "5435");

    private readonly SemaphoreSlim _gate = new(1);

    private PrivateCluster(string name, string port)
    {
        Name = name;
        Port = port;
    }

    public string Name { get; }

    public string Port { get; }

    /// <summary>Serialises the runs that take the cluster down, so one's outage is not in another's measurement.</summary>
    public async Task<IDisposable> TakeAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        return new Release(_gate);
    }

    /// <summary>Makes sure the cluster runs; returns the connection string the script prints.</summary>
    public async Task<string> EnsureAsync(CancellationToken ct)
    {
        var (exit, output) = await RunAsync(ct, "bash", Path.Combine(MonitorRun.RepoRoot, "scripts", "ensure-postgres.sh"));
        return exit == 0 ? output.Trim().Split('\n')[^1].Trim() : throw new InvalidOperationException($"ensure-postgres.sh for cluster {Name} failed: {output}");
    }

    /// <summary>Restarts the server (fast shutdown: every session ends at once), returning once it accepts connections again.</summary>
    public async Task RestartAsync(CancellationToken ct)
    {
        var (exit, output) = await RunAsync(ct, "pg_ctlcluster", Version(), Name, "restart", "-m", "fast");
        if (exit != 0)
        {
            throw new InvalidOperationException($"pg_ctlcluster restart of {Name} failed: {output}");
        }
    }

    /// <summary>
    /// Makes the server listen on the host's end of <paramref name="ns"/>'s link too, and take password logins
    /// from the namespace (a restart, as listen_addresses needs one). A process in the namespace reaches it at
    /// <see cref="NetworkNamespace.HostAddress"/> and this cluster's port.
    /// </summary>
    public async Task ListenForAsync(NetworkNamespace ns, CancellationToken ct)
    {
        var config = Path.Combine("/etc/postgresql", Version(), Name);
        await File.WriteAllTextAsync(Path.Combine(config, "conf.d", "heavyjobs-namespace.conf"), $"listen_addresses = '127.0.0.1,{ns.HostAddress}'\n", ct);
        var hba = Path.Combine(config, "pg_hba.conf");
        var rule = $"host all all {ns.Address}/32 scram-sha-256";
        if (!(await File.ReadAllLinesAsync(hba, ct)).Contains(rule))
        {
            await File.AppendAllTextAsync(hba, rule + "\n", ct);
        }

        await RestartAsync(ct);
    }

    private static string Version() =>
        Directory.GetDirectories("/usr/lib/postgresql").Select(Path.GetFileName).OrderBy(v => int.Parse(v!, CultureInfo.InvariantCulture)).Last()!;

    private async Task<(int Exit, string Output)> RunAsync(CancellationToken ct, string file, params string[] args)
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

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
