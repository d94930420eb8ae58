using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using HeavyJobs.Whois.Server;

namespace HeavyJobs.Whois.Tests.Server;

/// <summary>Helpers shared by the client and server tests: raw TCP queries, condition waits, server start-up.</summary>
internal static class WhoisTestSupport
{
    public const string Verisign = "whois.verisign-grs.com";

    /// <summary>Fixed instant for fake clocks, so rendered answers are comparable across runs.</summary>
    public static readonly DateTimeOffset Epoch = new(2025, 7, 1, 12, 0, 0, TimeSpan.Zero);

    public static SyntheticPopulation Population(long seed = 7, long size = 20_000) => new(seed, size);

    public static async Task<LocalWhoisServer> StartServerAsync(
        SyntheticPopulation population,
        LocalWhoisServerOptions? options = null,
        TimeProvider? timeProvider = null)
    {
        var server = new LocalWhoisServer(population, options, timeProvider);
        await server.StartAsync(TestContext.Current.CancellationToken);
        return server;
    }

    /// <summary>Sends one raw line (CRLF appended) and returns every byte until the server closes.</summary>
    public static async Task<byte[]> QueryBytesAsync(int port, string line)
    {
        var ct = TestContext.Current.CancellationToken;
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port, ct);
        await socket.SendAsync(Encoding.UTF8.GetBytes(line + "\r\n"), SocketFlags.None, ct);
        using var answer = new MemoryStream();
        var buffer = new byte[8192];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, ct)) > 0)
            answer.Write(buffer, 0, read);
        return answer.ToArray();
    }

    public static async Task<string> QueryAsync(int port, string line) =>
        Encoding.UTF8.GetString(await QueryBytesAsync(port, line));

    /// <summary>
    /// Waits for a condition that other threads will make true (polling every few ms); the timeout only guards
    /// against hangs and is generous for loaded machines. Never used to let time pass.
    /// </summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(15);
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > limit)
                throw new TimeoutException($"Timed out waiting until {what}.");
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }

    public static SyntheticDomain First(this SyntheticPopulation population, Func<SyntheticDomain, bool> predicate) =>
        population.FindFirst(predicate) ?? throw new InvalidOperationException("The test population has no such domain.");

    public static SyntheticDomain RegisteredIn(this SyntheticPopulation population, string suffix, long start = 0) =>
        population.FindFirst(d => d.Tld.Suffix == suffix && d.IsRegistered, start) ?? throw new InvalidOperationException($"No registered .{suffix} domain.");

    public static SyntheticDomain UnregisteredIn(this SyntheticPopulation population, string suffix) =>
        population.First(d => d.Tld.Suffix == suffix && !d.IsRegistered);
}
