using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;

namespace HeavyJobs.Whois.Client;

/// <summary>
/// RFC 3912 WHOIS client: connect to port 43, send the query line ending in CRLF, read until the server closes.
/// Adds what the RFC leaves to clients: timeouts, a size limit, charset fallback, thin-registry referrals,
/// retries of transient failures, recognition of rate-limit refusals and per-server politeness.
/// </summary>
public sealed class WhoisClient : IWhoisClient
{
    private const int ReceiveChunk = 8192;

    private readonly WhoisServerTable _servers;
    private readonly WhoisClientOptions _options;
    private readonly IWhoisPoliteness _politeness;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _retry;
    private readonly Func<string, bool> _isRateLimited;
    private readonly Func<string, string, string> _formatQuery;

    /// <param name="servers">Suffix → server and server → endpoint table; <see cref="WhoisServerTable.Default"/> when null.</param>
    /// <param name="options">Timeouts, limits and retry settings.</param>
    /// <param name="politeness">Awaited before every query; <see cref="NoPoliteness"/> when null.</param>
    /// <param name="timeProvider">Clock for timeouts, retry delays and <see cref="WhoisAnswer.FetchedAt"/>.</param>
    /// <param name="logger">Receives retries and failed referrals.</param>
    public WhoisClient(
        WhoisServerTable? servers = null,
        WhoisClientOptions? options = null,
        IWhoisPoliteness? politeness = null,
        TimeProvider? timeProvider = null,
        ILogger<WhoisClient>? logger = null)
    {
        _servers = servers ?? WhoisServerTable.Default;
        _options = options ?? new WhoisClientOptions();
        _options.Validate();
        _politeness = politeness ?? NoPoliteness.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _isRateLimited = _options.RateLimitDetector ?? WhoisRateLimitDetector.Create(_options.ExtraRateLimitPatterns);
        _formatQuery = _options.QueryFormatter ?? WhoisQueryFormat.Default;
        _retry = BuildRetryPipeline(_options, _timeProvider, _logger);
    }

    /// <inheritdoc />
    public async Task<WhoisLookupResult> LookupAsync(string domain, CancellationToken cancellationToken)
    {
        var name = NormalizeDomain(domain);
        var registryServer = _servers.FindServerForDomain(name) ?? throw WhoisNoServerException.ForDomain(name);
        var registry = await QueryAsync(registryServer, name, cancellationToken);
        if (!_options.FollowReferrals)
            return new WhoisLookupResult(name, registry);

        var referral = WhoisReferralParser.FindReferral(registry.RawText);

        // Some registries (e.g. auDA) name themselves in "Registrar WHOIS Server"; asking again adds nothing.
        if (referral is null || referral.Equals(registryServer, StringComparison.OrdinalIgnoreCase))
            return new WhoisLookupResult(name, registry);

        try
        {
            var answer = await QueryAsync(referral, name, cancellationToken);
            return new WhoisLookupResult(name, registry, answer);
        }
        catch (WhoisException ex)
        {
            // The registry answer already holds the registrar, dates and name servers; a registrar that is down
            // or throttling must not turn a useful result into a failure.
            _logger.LogWarning(ex, "WHOIS referral from {RegistryServer} to {ReferralServer} for {Domain} failed", registryServer, referral, name);
            return new WhoisLookupResult(name, registry, ReferralFailure: new WhoisReferralFailure(referral, ex));
        }
    }

    /// <inheritdoc />
    public async Task<WhoisAnswer> QueryAsync(string serverName, string domain, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serverName);
        var server = WhoisServerTable.NormalizeServerName(serverName);
        var name = NormalizeDomain(domain);
        WhoisEndpoint endpoint;
        try
        {
            endpoint = _servers.ResolveEndpoint(server);
        }
        catch (InvalidOperationException ex)
        {
            throw new WhoisConnectionException(server, WhoisConnectionFailure.HostNotFound, ex.Message, ex);
        }

        var request = new Request(this, server, endpoint, name, _formatQuery(server, name));
        return await _retry.ExecuteAsync(static (request, token) => request.Client.QueryOnceAsync(request, token), request, cancellationToken);
    }

    private async ValueTask<WhoisAnswer> QueryOnceAsync(Request request, CancellationToken cancellationToken)
    {
        byte[] bytes;
        await using (await _politeness.AcquireAsync(request.Server, cancellationToken))
            bytes = await ExchangeAsync(request, cancellationToken);

        var text = WhoisTextDecoder.Decode(bytes);
        if (_isRateLimited(text))
        {
            await _politeness.PushedBackAsync(request.Server, cancellationToken);
            throw new WhoisRateLimitedException(request.Server, text);
        }
        return new WhoisAnswer(request.Domain, request.Server, text, _timeProvider.GetUtcNow(), bytes.Length);
    }

    private async Task<byte[]> ExchangeAsync(Request request, CancellationToken cancellationToken)
    {
        using var total = new CancellationTokenSource(_options.TotalTimeout, _timeProvider);
        using var step = new CancellationTokenSource(_options.ConnectTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, total.Token, step.Token);
        var phase = "connecting to";
        Socket? socket = null;
        try
        {
            socket = await ConnectAsync(request.Endpoint, linked.Token);

            phase = "sending the query to";
            step.CancelAfter(_options.ReadTimeout);
            var line = Encoding.UTF8.GetBytes(request.Query + "\r\n");
            for (var sent = 0; sent < line.Length;)
                sent += await socket.SendAsync(line.AsMemory(sent), SocketFlags.None, linked.Token);

            phase = "reading the answer of";
            var answer = new ArrayBufferWriter<byte>(ReceiveChunk);
            while (true)
            {
                step.CancelAfter(_options.ReadTimeout);
                var received = await socket.ReceiveAsync(answer.GetMemory(ReceiveChunk), SocketFlags.None, linked.Token);
                if (received == 0)
                    break;
                if (answer.WrittenCount + received > _options.MaxAnswerBytes)
                    throw new WhoisAnswerTooLargeException(request.Server, _options.MaxAnswerBytes);
                answer.Advance(received);
            }

            if (answer.WrittenCount == 0)
                throw new WhoisConnectionException(request.Server, WhoisConnectionFailure.EmptyAnswer, $"WHOIS server '{request.Server}' ({request.Endpoint}) closed the connection without answering.");
            return answer.WrittenSpan.ToArray();
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new WhoisConnectionException(request.Server, WhoisConnectionFailure.Timeout, $"Timed out {phase} WHOIS server '{request.Server}' ({request.Endpoint}).", ex);
        }
        catch (SocketException ex)
        {
            throw new WhoisConnectionException(request.Server, Classify(ex.SocketErrorCode), $"Failed {phase} WHOIS server '{request.Server}' ({request.Endpoint}): {ex.SocketErrorCode}.", ex);
        }
        finally
        {
            socket?.Dispose();
        }
    }

    private static async Task<Socket> ConnectAsync(WhoisEndpoint endpoint, CancellationToken cancellationToken)
    {
        // Explicit per-address sockets rather than one dual-mode socket: some hosts (containers, sandboxes)
        // have no IPv6 stack at all, and a dual-mode socket fails there even for 127.0.0.1.
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        if (addresses.Length == 0)
            throw new SocketException((int)SocketError.HostNotFound);

        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(address, endpoint.Port, cancellationToken);
                return socket;
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last!;
    }

    private static WhoisConnectionFailure Classify(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => WhoisConnectionFailure.Refused,
        SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown => WhoisConnectionFailure.Reset,
        SocketError.TimedOut => WhoisConnectionFailure.Timeout,
        SocketError.HostNotFound or SocketError.NoData => WhoisConnectionFailure.HostNotFound,
        _ => WhoisConnectionFailure.Network,
    };

    private static ResiliencePipeline BuildRetryPipeline(WhoisClientOptions options, TimeProvider timeProvider, ILogger logger)
    {
        if (options.MaxRetryAttempts == 0)
            return ResiliencePipeline.Empty;

        var retry = new RetryStrategyOptions
        {
            // Rate-limit refusals and oversized answers are deliberately not handled: repeating them at once
            // cannot succeed and, for rate limits, prolongs the ban.
            ShouldHandle = new PredicateBuilder().Handle<WhoisConnectionException>(ex => ex.IsTransient),
            MaxRetryAttempts = options.MaxRetryAttempts,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = options.RetryJitter,
            Delay = options.RetryBaseDelay,
            MaxDelay = options.RetryMaxDelay,
            OnRetry = args =>
            {
                var server = (args.Outcome.Exception as WhoisException)?.ServerName;
                logger.LogInformation(
                    args.Outcome.Exception,
                    "Retrying WHOIS query to {Server} in {Delay} (attempt {Attempt})",
                    server,
                    args.RetryDelay,
                    args.AttemptNumber + 1);
                return ValueTask.CompletedTask;
            },
        };
        if (options.RetryRandomizer is not null)
            retry.Randomizer = options.RetryRandomizer;

        return new ResiliencePipelineBuilder { TimeProvider = timeProvider }.AddRetry(retry).Build();
    }

    private static string NormalizeDomain(string domain)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(domain);
        return domain.Trim().TrimEnd('.').ToLowerInvariant();
    }

    private sealed record Request(WhoisClient Client, string Server, WhoisEndpoint Endpoint, string Domain, string Query);
}
