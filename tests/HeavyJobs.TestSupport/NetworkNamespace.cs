using System.Diagnostics;

namespace HeavyJobs.TestSupport;

/// <summary>
/// A network namespace of a test's own, joined to the host by a veth pair: a machine of the fleet with an address
/// of its own (<see cref="Address"/>), which reaches the host at <see cref="HostAddress"/>. <see cref="CutAsync"/>
/// drops every packet between the two, both ways and without a word (blackhole routes: no reset, no ICMP), as a
/// dead switch would; <see cref="HealAsync"/> lets them through again. Needs root (CAP_NET_ADMIN), as CI has.
/// </summary>
public sealed class NetworkNamespace : IAsyncDisposable
{
    private readonly string _hostLink;

    private NetworkNamespace(string name, string hostLink, string hostAddress, string address)
    {
        Name = name;
        _hostLink = hostLink;
        HostAddress = hostAddress;
        Address = address;
    }

    public string Name { get; }

    /// <summary>The host's end of the link, where a server the namespace should reach listens.</summary>
    public string HostAddress { get; }

    /// <summary>The namespace's own address, as the host sees its connections come.</summary>
    public string Address { get; }

    /// <summary>
    /// Makes the namespace and its link afresh (one a crashed run left behind is removed first). <paramref name="subnet"/>
    /// picks 10.231.<paramref name="subnet"/>.0/30, so namespaces made side by side do not overlap.
    /// </summary>
    public static async Task<NetworkNamespace> CreateAsync(string name, int subnet, CancellationToken ct)
    {
        var hostLink = $"{name}-h"[..Math.Min(name.Length + 2, 15)];
        var inner = $"{name}-n"[..Math.Min(name.Length + 2, 15)];
        var ns = new NetworkNamespace(name, hostLink, $"10.231.{subnet}.1", $"10.231.{subnet}.2");
        await RunAsync(ct, false, "ip", "netns", "delete", name);
        await RunAsync(ct, false, "ip", "link", "delete", hostLink);
        await RunAsync(ct, true, "ip", "netns", "add", name);
        await RunAsync(ct, true, "ip", "link", "add", hostLink, "type", "veth", "peer", "name", inner);
        await RunAsync(ct, true, "ip", "link", "set", inner, "netns", name);
        await RunAsync(ct, true, "ip", "addr", "add", $"{ns.HostAddress}/30", "dev", hostLink);
        await RunAsync(ct, true, "ip", "link", "set", hostLink, "up");
        await RunAsync(ct, true, "ip", "-n", name, "addr", "add", $"{ns.Address}/30", "dev", inner);
        await RunAsync(ct, true, "ip", "-n", name, "link", "set", inner, "up");
        await RunAsync(ct, true, "ip", "-n", name, "link", "set", "lo", "up");
        return ns;
    }

    /// <summary>The same command, run inside the namespace (ip-netns(8) execs it, so the pid is the program's).</summary>
    public ProcessStartInfo Wrap(ProcessStartInfo info)
    {
        var wrapped = new ProcessStartInfo("ip")
        {
            RedirectStandardOutput = info.RedirectStandardOutput,
            RedirectStandardError = info.RedirectStandardError,
            UseShellExecute = false,
            WorkingDirectory = info.WorkingDirectory,
        };
        foreach (var a in (string[])["netns", "exec", Name, info.FileName, .. info.ArgumentList])
        {
            wrapped.ArgumentList.Add(a);
        }

        foreach (var (k, v) in info.Environment)
        {
            wrapped.Environment[k] = v;
        }

        return wrapped;
    }

    /// <summary>Every packet between the namespace and the host is dropped from now on, both ways.</summary>
    public async Task CutAsync(CancellationToken ct)
    {
        await RunAsync(ct, true, "ip", "route", "add", "blackhole", $"{Address}/32");
        await RunAsync(ct, true, "ip", "-n", Name, "route", "add", "blackhole", $"{HostAddress}/32");
    }

    public async Task HealAsync(CancellationToken ct)
    {
        await RunAsync(ct, true, "ip", "route", "delete", "blackhole", $"{Address}/32");
        await RunAsync(ct, true, "ip", "-n", Name, "route", "delete", "blackhole", $"{HostAddress}/32");
    }

    public async ValueTask DisposeAsync()
    {
        // The host's blackhole route is the host's, not the namespace's: it would outlive the namespace.
        await RunAsync(CancellationToken.None, false, "ip", "route", "delete", "blackhole", $"{Address}/32");
        // Deleting the namespace deletes its end of the link, and with it the host's end.
        await RunAsync(CancellationToken.None, false, "ip", "netns", "delete", Name);
    }

    private static async Task RunAsync(CancellationToken ct, bool check, string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {await output}{await error} (network namespaces need root)");
        }
    }
}
