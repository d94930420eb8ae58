using System.Collections.Concurrent;

namespace HeavyJobs.Whois.Server;

/// <summary>
/// Hanging servers and the count of queries being answered at once: what a test needs to show that a client
/// keeps many queries in flight and that a server that stops answering holds back only its own domains.
/// </summary>
public sealed partial class LocalWhoisServer
{
    // A server name maps to the gate its queries wait at while it hangs; released (and removed) by Unhang.
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _hangs = new(StringComparer.OrdinalIgnoreCase);
    private int _answering;
    private int _mostAnswering;

    /// <summary>
    /// Queries answered at once, at most, since the start or the last <see cref="ClearRecordings"/>, over all
    /// logical servers: from the end of the query line to the end of the answer, injected latency included.
    /// A query held by <see cref="Hang"/> counts only from its release.
    /// </summary>
    public int MostAnsweredAtOnce => Volatile.Read(ref _mostAnswering);

    /// <summary>
    /// The logical server keeps reading and recording queries but answers none of them until
    /// <see cref="Unhang"/> (or the client gives up, or the server stops), as a registry that stopped answering.
    /// </summary>
    public void Hang(string serverName) => _hangs.GetOrAdd(Find(serverName).Name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>The logical server answers again, first the queries it held.</summary>
    public void Unhang(string serverName)
    {
        if (_hangs.TryRemove(Find(serverName).Name, out var gate))
            gate.TrySetResult();
    }

    private async ValueTask WaitWhileHungAsync(LogicalServer server, CancellationToken cancellationToken)
    {
        if (_hangs.TryGetValue(server.Name, out var gate))
            await gate.Task.WaitAsync(cancellationToken);
    }

    private Answering StartAnswering()
    {
        var now = Interlocked.Increment(ref _answering);
        for (var most = Volatile.Read(ref _mostAnswering); now > most; most = Volatile.Read(ref _mostAnswering))
        {
            if (Interlocked.CompareExchange(ref _mostAnswering, now, most) == most)
                break;
        }

        return new Answering(this);
    }

    private void ResetMostAnswering() => Volatile.Write(ref _mostAnswering, Volatile.Read(ref _answering));

    private readonly struct Answering(LocalWhoisServer server) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref server._answering);
    }
}
