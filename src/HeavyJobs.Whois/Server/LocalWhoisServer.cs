using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using HeavyJobs.Whois.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace HeavyJobs.Whois.Server;

/// <summary>
/// A WHOIS server on loopback for demos and tests. It plays every registry of a <see cref="SyntheticPopulation"/>
/// and every synthetic registrar, each as a logical server on its own port: it reads one query line, answers in
/// that server's format, closes. Faults (latency, resets, empty closes, garbage, truncation, rate limits) can be
/// injected, and every request is recorded so tests can check how politely a client behaved.
/// </summary>
public sealed partial class LocalWhoisServer : IAsyncDisposable
{
    private const int Backlog = 512;

    private readonly SyntheticPopulation _population;
    private readonly LocalWhoisServerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly LogicalServer[] _servers;
    private readonly Dictionary<string, LogicalServer> _serversByName;
    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task[] _acceptLoops = [];
    private long _connectionIds;
    private int _state;

    /// <param name="population">The domains to serve.</param>
    /// <param name="options">Address, ports, faults.</param>
    /// <param name="timeProvider">Clock of the request recorder, the rate limit and injected latency.</param>
    /// <param name="logger">Receives connection errors.</param>
    public LocalWhoisServer(
        SyntheticPopulation population,
        LocalWhoisServerOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger<LocalWhoisServer>? logger = null)
    {
        _population = population ?? throw new ArgumentNullException(nameof(population));
        _options = options ?? new LocalWhoisServerOptions();
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _options.Faults.Validate(nameof(options));
        foreach (var faults in _options.ServerFaults.Values)
            faults.Validate(nameof(options));

        var registries = population.Tlds
            .GroupBy(t => t.RegistryServer, StringComparer.OrdinalIgnoreCase)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new LogicalServer(g.Key, g.First().Style, null, FaultsFor(g.Key), _options.RecordRequests));
        var registrars = SyntheticPopulation.Registrars
            .OrderBy(r => r.WhoisServer, StringComparer.Ordinal)
            .Select(r => new LogicalServer(r.WhoisServer, null, r, FaultsFor(r.WhoisServer), _options.RecordRequests));
        _servers = [.. registries, .. registrars];
        _serversByName = _servers.ToDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase);

        // A misspelt server name would silently inject nothing; say so instead.
        var unknown = _options.ServerFaults.Keys.FirstOrDefault(name => !_serversByName.ContainsKey(name));
        if (unknown is not null)
            throw new ArgumentException($"ServerFaults names '{unknown}', which is not a logical server of this population.", nameof(options));
    }

    /// <summary>All logical server names: registries first, then registrars.</summary>
    public IReadOnlyList<string> ServerNames => [.. _servers.Select(s => s.Name)];

    /// <summary>The logical registry servers.</summary>
    public IReadOnlyList<string> RegistryServerNames => [.. _servers.Where(s => s.Registrar is null).Select(s => s.Name)];

    /// <summary>The logical registrar servers.</summary>
    public IReadOnlyList<string> RegistrarServerNames => [.. _servers.Where(s => s.Registrar is not null).Select(s => s.Name)];

    /// <summary>The population served.</summary>
    public SyntheticPopulation Population => _population;

    /// <summary>Total requests received by all logical servers.</summary>
    public int TotalRequestCount => _servers.Sum(s => s.Count);

    /// <summary>Requests received per logical server (servers without requests included, with 0).</summary>
    public IReadOnlyDictionary<string, int> RequestCounts =>
        _servers.ToDictionary(s => s.Name, s => s.Count, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Server name → <c>127.0.0.1:port</c> for every logical server, on top of the default suffix table, with
    /// <see cref="WhoisServerTable.RequireExplicitEndpoints"/> set so that nothing unmapped leaks to the internet.
    /// </summary>
    public WhoisServerTable ServerTable
    {
        get
        {
            EnsureStarted();
            return WhoisServerTable.Default
                .WithServers(_population.Tlds.Select(t => new KeyValuePair<string, string>(t.Suffix, t.RegistryServer)))
                .WithEndpoints(_servers.Select(s => new KeyValuePair<string, WhoisEndpoint>(s.Name, EndpointOf(s))))
                .WithRequireExplicitEndpoints(true);
        }
    }

    /// <summary>The port of a logical server.</summary>
    public int PortOf(string serverName)
    {
        EnsureStarted();
        return Find(serverName).Port;
    }

    /// <summary>Opens the listeners of all logical servers.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
            throw new InvalidOperationException("The local WHOIS server can be started once.");

        try
        {
            for (var i = 0; i < _servers.Length; i++)
            {
                var port = _options.BasePort == 0 ? 0 : _options.BasePort + i;
                _servers[i].Listen(new TcpListener(_options.Address, port), Backlog);
            }
        }
        catch
        {
            foreach (var server in _servers)
                server.StopListening();
            throw;
        }

        var token = _stopping.Token;
        _acceptLoops = [.. _servers.Select(s => Task.Run(() => AcceptLoopAsync(s, token), CancellationToken.None))];
        _logger.LogInformation("Local WHOIS server listening on {Address} for {Count} logical servers", _options.Address, _servers.Length);
        return Task.CompletedTask;
    }

    /// <summary>Closes the listeners and waits for the connections in progress to end (injected latency is cut short).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _state, 2) != 1)
            return;
        await _stopping.CancelAsync();
        foreach (var server in _servers)
            server.StopListening();
        await Task.WhenAll([.. _acceptLoops, .. _connections.Values]).WaitAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        _stopping.Dispose();
    }

    /// <summary>Every request received by a logical server, in arrival order (none unless <see cref="LocalWhoisServerOptions.RecordRequests"/>).</summary>
    public IReadOnlyList<WhoisRequestRecord> RequestsTo(string serverName) => Find(serverName).Snapshot();

    /// <summary>Every request received, ordered by time.</summary>
    public IReadOnlyList<WhoisRequestRecord> AllRequests() =>
        [.. _servers.SelectMany(s => s.Snapshot()).OrderBy(r => r.ReceivedAt)];

    /// <summary>Requests received by a logical server.</summary>
    public int RequestCount(string serverName) => Find(serverName).Count;

    /// <summary>
    /// The most requests a logical server received within any one-second window [t, t+1s), by the server's clock:
    /// the figure a client's politeness must keep at or below its configured rate (plus burst).
    /// </summary>
    public int MaxRequestsInAnyOneSecondWindow(string serverName)
    {
        var server = Find(serverName);
        if (!server.Records)
            return server.BusiestSecond;

        var times = server.Snapshot().Select(r => r.ReceivedAt).Order().ToArray();
        var max = 0;
        for (int first = 0, last = 0; last < times.Length; last++)
        {
            while (times[last] - times[first] >= TimeSpan.FromSeconds(1))
                first++;
            max = Math.Max(max, last - first + 1);
        }

        return max;
    }

    /// <summary>Forgets recorded requests (fault sequences and rate-limit windows restart too).</summary>
    public void ClearRecordings()
    {
        foreach (var server in _servers)
            server.Clear();
        ResetMostAnswering();
    }

    private WhoisFaultOptions FaultsFor(string serverName) =>
        _options.ServerFaults.FirstOrDefault(p => p.Key.Equals(serverName, StringComparison.OrdinalIgnoreCase)).Value ?? _options.Faults;

    private LogicalServer Find(string serverName) =>
        _serversByName.TryGetValue(serverName.Trim(), out var server)
            ? server
            : throw new ArgumentException($"'{serverName}' is not a logical server of this local WHOIS server.", nameof(serverName));

    private WhoisEndpoint EndpointOf(LogicalServer server)
    {
        var address = _options.Address.Equals(IPAddress.Any) ? IPAddress.Loopback
            : _options.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
            : _options.Address;
        return new WhoisEndpoint(address.ToString(), server.Port);
    }

    private void EnsureStarted()
    {
        if (Volatile.Read(ref _state) == 0)
            throw new InvalidOperationException("Start the local WHOIS server first.");
    }

    private async Task AcceptLoopAsync(LogicalServer server, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await server.AcceptAsync(cancellationToken);
            }
            catch (Exception ex) when (cancellationToken.IsCancellationRequested || ex is ObjectDisposedException)
            {
                break;
            }
            catch (SocketException ex)
            {
                _logger.LogWarning(ex, "Accept failed on {Server}", server.Name);
                continue;
            }

            var id = Interlocked.Increment(ref _connectionIds);
            var connection = ServeAsync(server, socket, cancellationToken);
            _connections[id] = connection;
            _ = connection.ContinueWith(_ => _connections.TryRemove(id, out Task? _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(LogicalServer server, Socket socket, CancellationToken cancellationToken)
    {
        await Task.Yield();
        using (socket)
        {
            try
            {
                socket.NoDelay = true;
                var query = await ReadQueryAsync(socket, cancellationToken);
                if (query is null)
                    return;

                var clientAddress = (socket.RemoteEndPoint as IPEndPoint)?.Address.ToString() ?? "127.0.0.1";
                var domain = WhoisQueryLine.ExtractDomain(query);
                var now = _timeProvider.GetUtcNow();
                var (outcome, text) = Answer(server, domain, now, clientAddress);
                var fate = server.Decide(query, domain, now, outcome, _options.FaultSeed);
                await WaitWhileHungAsync(server, cancellationToken);
                using var answering = StartAnswering();

                if (server.Faults.Latency > TimeSpan.Zero)
                    await Task.Delay(server.Faults.Latency, _timeProvider, cancellationToken);

                switch (fate.Outcome)
                {
                    case WhoisServedOutcome.Reset:
                        // Linger 0 makes close() send RST instead of FIN: the client sees "connection reset".
                        socket.LingerState = new LingerOption(true, 0);
                        return;
                    case WhoisServedOutcome.ClosedWithoutAnswer:
                        socket.Shutdown(SocketShutdown.Both);
                        return;
                    case WhoisServedOutcome.RateLimited:
                        text = server.Registrar is { } registrar
                            ? WhoisTemplates.RenderRegistrarRateLimited(registrar)
                            : WhoisTemplates.RenderRateLimited(server.Style!.Value, now, clientAddress);
                        break;
                }

                var bytes = fate.Outcome switch
                {
                    WhoisServedOutcome.Garbage => fate.Garbage!,
                    WhoisServedOutcome.Truncated => Truncate(server.Encoding.GetBytes(text), fate.TruncateAt),
                    _ => server.Encoding.GetBytes(text),
                };
                for (var sent = 0; sent < bytes.Length;)
                    sent += await socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None, cancellationToken);
                socket.Shutdown(SocketShutdown.Send);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Server stopping.
            }
            catch (SocketException ex)
            {
                _logger.LogDebug(ex, "Connection to {Server} ended early", server.Name);
            }
        }
    }

    private (WhoisServedOutcome Outcome, string Text) Answer(LogicalServer server, string domain, DateTimeOffset now, string clientAddress)
    {
        var name = domain.Length == 0 ? "-" : domain;
        if (server.Registrar is { } registrar)
        {
            var sponsored = _population.Lookup(domain);
            return sponsored?.Registration?.Registrar.WhoisServer.Equals(server.Name, StringComparison.OrdinalIgnoreCase) == true
                ? (WhoisServedOutcome.Record, WhoisTemplates.RenderRegistrarAnswer(sponsored, now))
                : (WhoisServedOutcome.NotFound, WhoisTemplates.RenderRegistrarNotFound(registrar, name, now));
        }

        var style = server.Style!.Value;
        var tld = _population.FindTld(domain);
        if (tld is null || !tld.RegistryServer.Equals(server.Name, StringComparison.OrdinalIgnoreCase))
            return (WhoisServedOutcome.NotFound, WhoisTemplates.RenderNotFound(style, name, now, clientAddress));
        var found = _population.Lookup(domain);
        return found is { IsRegistered: true }
            ? (WhoisServedOutcome.Record, WhoisTemplates.RenderRegistryAnswer(found, now, clientAddress))
            : (WhoisServedOutcome.NotFound, WhoisTemplates.RenderNotFound(tld.Style, name, now, clientAddress));
    }

    private async Task<string?> ReadQueryAsync(Socket socket, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.QueryReadTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var buffer = new byte[_options.MaxQueryBytes];
        var length = 0;
        try
        {
            while (length < buffer.Length)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, linked.Token);
                if (read == 0)
                    break;
                var newline = Array.IndexOf(buffer, (byte)'\n', length, read);
                length += read;
                if (newline >= 0)
                {
                    length = newline;
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        if (length == 0 || length >= buffer.Length)
            return null;
        return Encoding.UTF8.GetString(buffer, 0, length).TrimEnd('\r');
    }

    private static byte[] Truncate(byte[] bytes, double fraction) =>
        bytes[..Math.Clamp((int)(bytes.Length * fraction), 1, Math.Max(1, bytes.Length - 1))];

}
