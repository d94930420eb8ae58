using System.Net;
using System.Net.Sockets;

namespace HeavyJobs.Storage.Postgres.Tests;

/// <summary>
/// A TCP relay between the store and PostgreSQL on loopback that can cut the connections on the client's side
/// only (a fault injected on purpose): the client's sockets are reset, while the server's stay open and silent,
/// so the server keeps the sessions and whatever they hold, as when a client gives up on a network before the
/// server does.
/// </summary>
internal sealed class HalfCutProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<(TcpClient Client, TcpClient Server, CancellationTokenSource Pumping)> _pairs = [];
    private readonly List<TcpClient> _kept = [];
    private readonly string _host;
    private readonly int _port;
    private readonly Task _accepting;

    public HalfCutProxy(string host, int port)
    {
        _host = host;
        _port = port;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Resets every client's connection; the server's ends stay open, never written to again.</summary>
    public async Task CutClientsAsync()
    {
        List<(TcpClient Client, TcpClient Server, CancellationTokenSource Pumping)> pairs;
        lock (_gate)
        {
            pairs = [.. _pairs];
            _pairs.Clear();
            _kept.AddRange(pairs.Select(p => p.Server));
        }

        foreach (var (client, _, pumping) in pairs)
        {
            await pumping.CancelAsync();
            client.Client.LingerState = new LingerOption(true, 0);
            client.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        lock (_gate)
        {
            foreach (var (client, server, pumping) in _pairs)
            {
                pumping.Cancel();
                client.Dispose();
                server.Dispose();
            }

            _kept.ForEach(s => s.Dispose());
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var server = new TcpClient();
            await server.ConnectAsync(_host, _port, _stop.Token);
            var pumping = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            lock (_gate)
            {
                _pairs.Add((client, server, pumping));
            }

            _ = PumpAsync(client.GetStream(), server.GetStream(), pumping.Token);
            _ = PumpAsync(server.GetStream(), client.GetStream(), pumping.Token);
        }
    }

    private static async Task PumpAsync(NetworkStream from, NetworkStream to, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, ct)) > 0)
            {
                await to.WriteAsync(buffer.AsMemory(0, read), ct);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Cut or closed: the sockets are the owner's to close, never the pump's, so a cut leaves the server's end open.
        }
    }
}
