using System.Net;
using System.Net.Sockets;
using HeavyJobs.Whois.Client;
using HeavyJobs.Whois.Server;
using HeavyJobs.Whois.Tests.Server;
using Microsoft.Extensions.Time.Testing;

namespace HeavyJobs.Whois.Tests.Client;

public sealed class WhoisClientTests
{
    private static readonly SyntheticPopulation _population = WhoisTestSupport.Population();

    /// <summary>Retries without real waiting: delays of a millisecond, no jitter.</summary>
    private static readonly WhoisClientOptions _fastRetries = new()
    {
        MaxRetryAttempts = 3,
        RetryBaseDelay = TimeSpan.FromMilliseconds(1),
        RetryMaxDelay = TimeSpan.FromMilliseconds(5),
        RetryJitter = false,
    };

    [Fact]
    public async Task Lookup_of_a_thin_registry_domain_follows_the_registrar_referral()
    {
        await using var server = await WhoisTestSupport.StartServerAsync(_population);
        var time = new FakeTimeProvider(WhoisTestSupport.Epoch);
        var client = new WhoisClient(server.ServerTable, timeProvider: time);
        var domain = _population.RegisteredIn("com");
        var registrar = domain.Registration!.Registrar.WhoisServer;

        var result = await client.LookupAsync(domain.Name.ToUpperInvariant(), TestContext.Current.CancellationToken);

        Assert.Equal(domain.Name, result.Domain);
        Assert.Equal(WhoisTestSupport.Verisign, result.Registry.ServerName);
        Assert.Equal(WhoisTestSupport.Epoch, result.Registry.FetchedAt);
        Assert.Contains($"Domain Name: {domain.Name.ToUpperInvariant()}", result.Registry.RawText, StringComparison.Ordinal);
        Assert.NotNull(result.Referral);
        Assert.Equal(registrar, result.Referral.ServerName);
        Assert.Equal(domain.Name, result.Referral.Domain);
        Assert.Contains("Registrar Registration Expiration Date:", result.Referral.RawText, StringComparison.Ordinal);
        Assert.Same(result.Referral, result.Final);
        Assert.Null(result.ReferralFailure);
        Assert.Equal(1, server.RequestCount(WhoisTestSupport.Verisign));
        Assert.Equal(1, server.RequestCount(registrar));
    }

    [Theory]
    [InlineData("de", "Status: connect")]
    [InlineData("co.uk", "Registered on:")]
    [InlineData("ru", "paid-till:")]
    [InlineData("com.au", "Registrar Name:")]
    public async Task Lookup_of_a_cctld_domain_asks_only_the_registry(string suffix, string expected)
    {
        await using var server = await WhoisTestSupport.StartServerAsync(_population);
        var client = new WhoisClient(server.ServerTable);
        var domain = _population.RegisteredIn(suffix);

        var result = await client.LookupAsync(domain.Name, TestContext.Current.CancellationToken);

        Assert.Equal(domain.Tld.RegistryServer, result.ServerName);
        Assert.Contains(expected, result.RawText, StringComparison.Ordinal);

        // auDA names itself as "Registrar WHOIS Server"; that must not cause a second query.
        Assert.Null(result.Referral);
        Assert.Null(result.ReferralFailure);
        Assert.Equal(1, server.TotalRequestCount);
    }

    [Fact]
    public async Task Jprs_queries_ask_for_the_english_answer()
    {
        await using var server = await WhoisTestSupport.StartServerAsync(_population);
        var client = new WhoisClient(server.ServerTable);
        var domain = _population.RegisteredIn("jp");

        var result = await client.LookupAsync(domain.Name, TestContext.Current.CancellationToken);

        Assert.Contains("[Domain Name]", result.RawText, StringComparison.Ordinal);
        Assert.Equal(domain.Name + "/e", Assert.Single(server.RequestsTo("whois.jprs.jp")).Query);
    }

    [Fact]
    public async Task Unregistered_domain_returns_the_not_found_answer_without_referral()
    {
        await using var server = await WhoisTestSupport.StartServerAsync(_population);
        var client = new WhoisClient(server.ServerTable);
        var domain = _population.UnregisteredIn("net");

        var result = await client.LookupAsync(domain.Name, TestContext.Current.CancellationToken);

        Assert.StartsWith($"No match for \"{domain.Name.ToUpperInvariant()}\".", result.RawText, StringComparison.Ordinal);
        Assert.Null(result.Referral);
        Assert.Equal(1, server.TotalRequestCount);
    }

    [Fact]
    public async Task Latin1_answers_are_decoded()
    {
        await using var server = await WhoisTestSupport.StartServerAsync(_population);
        var client = new WhoisClient(server.ServerTable);
        var domain = _population.First(d => d.Tld.HasRegistrarReferral && d.Registration?.Registrar.Handle == "NORRSKEN");

        var result = await client.LookupAsync(domain.Name, TestContext.Current.CancellationToken);

        Assert.Contains("Registrar: Norrsken Domäner AB", result.Referral!.RawText, StringComparison.Ordinal);
        Assert.DoesNotContain("\uFFFD", result.Referral.RawText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Utf8_answers_are_decoded()
    {
        await using var server = await WhoisTestSupport.StartServerAsync(_population);
        var client = new WhoisClient(server.ServerTable);
        var domain = _population.First(d => d.Tld.Suffix == "pl" && d.Registration?.Registrar.Handle == "WISLA");

        var result = await client.LookupAsync(domain.Name, TestContext.Current.CancellationToken);

        Assert.Contains("Wisła Domeny sp. z o.o.", result.RawText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Times_out_when_the_server_stalls()
    {
        var options = new LocalWhoisServerOptions
        {
            ServerFaults = new Dictionary<string, WhoisFaultOptions> { [WhoisTestSupport.Verisign] = new() { Latency = TimeSpan.FromHours(1) } },
        };
        await using var server = await WhoisTestSupport.StartServerAsync(_population, options);
        var client = new WhoisClient(server.ServerTable, _fastRetries with { ReadTimeout = TimeSpan.FromMilliseconds(250), MaxRetryAttempts = 1 });

        var error = await Assert.ThrowsAsync<WhoisConnectionException>(
            () => client.LookupAsync(_population.RegisteredIn("com").Name, TestContext.Current.CancellationToken));

        Assert.Equal(WhoisConnectionFailure.Timeout, error.Failure);
        Assert.Equal(WhoisTestSupport.Verisign, error.ServerName);
        Assert.Equal(2, server.RequestCount(WhoisTestSupport.Verisign));
    }

    [Fact]
    public async Task Retries_after_injected_resets_and_closes_until_an_answer_comes()
    {
        var options = new LocalWhoisServerOptions
        {
            FaultSeed = 77,
            ServerFaults = new Dictionary<string, WhoisFaultOptions>
            {
                [WhoisTestSupport.Verisign] = new() { ResetProbability = 0.35, CloseWithoutAnswerProbability = 0.2 },
            },
        };
        await using var server = await WhoisTestSupport.StartServerAsync(_population, options);
        var client = new WhoisClient(server.ServerTable, _fastRetries with { MaxRetryAttempts = 12, FollowReferrals = false });

        var domains = Enumerable.Range(0, 8).Select(i => _population.RegisteredIn("com", i * 100)).DistinctBy(d => d.Name).ToList();
        foreach (var domain in domains)
        {
            var result = await client.LookupAsync(domain.Name, TestContext.Current.CancellationToken);
            Assert.Contains($"Domain Name: {domain.Name.ToUpperInvariant()}", result.RawText, StringComparison.Ordinal);
        }

        var outcomes = server.RequestsTo(WhoisTestSupport.Verisign).Select(r => r.Outcome).ToList();
        Assert.Equal(domains.Count, outcomes.Count(o => o == WhoisServedOutcome.Record));
        Assert.Contains(WhoisServedOutcome.Reset, outcomes);
        Assert.Contains(WhoisServedOutcome.ClosedWithoutAnswer, outcomes);
    }

    [Theory]
    [InlineData(true, WhoisConnectionFailure.Reset)]
    [InlineData(false, WhoisConnectionFailure.EmptyAnswer)]
    public async Task Gives_up_after_the_configured_retries(bool reset, WhoisConnectionFailure expected)
    {
        var faults = reset ? new WhoisFaultOptions { ResetProbability = 1 } : new WhoisFaultOptions { CloseWithoutAnswerProbability = 1 };
        await using var server = await WhoisTestSupport.StartServerAsync(_population, new LocalWhoisServerOptions { Faults = faults });
        var client = new WhoisClient(server.ServerTable, _fastRetries);

        var error = await Assert.ThrowsAsync<WhoisConnectionException>(
            () => client.LookupAsync(_population.RegisteredIn("org").Name, TestContext.Current.CancellationToken));

        Assert.Equal(expected, error.Failure);
        Assert.True(error.IsTransient);
        Assert.Equal(1 + _fastRetries.MaxRetryAttempts, server.RequestCount("whois.pir.org"));
    }

    [Fact]
    public async Task Retry_back_off_runs_on_the_injected_clock()
    {
        var options = new LocalWhoisServerOptions { Faults = new WhoisFaultOptions { ResetProbability = 1 } };
        await using var server = await WhoisTestSupport.StartServerAsync(_population, options);
        var time = new FakeTimeProvider(WhoisTestSupport.Epoch);
        var client = new WhoisClient(
            server.ServerTable,
            new WhoisClientOptions
            {
                MaxRetryAttempts = 2,
                RetryBaseDelay = TimeSpan.FromSeconds(10),
                RetryJitter = false,

                // Fake time also drives the I/O timeouts; keep them out of reach of the advancing clock.
                ConnectTimeout = TimeSpan.FromHours(1),
                ReadTimeout = TimeSpan.FromHours(1),
                TotalTimeout = TimeSpan.FromHours(1),
            },
            timeProvider: time);

        var lookup = client.LookupAsync(_population.RegisteredIn("com").Name, TestContext.Current.CancellationToken);
        await WhoisTestSupport.WaitUntilAsync(() => server.TotalRequestCount == 1, "the first attempt arrives");

        // Exponential back-off: 10 s before the first retry, 20 s before the second. Fake time is advanced in
        // 1 s steps; a step taken before the client armed its delay is simply wasted, so these are lower bounds.
        Assert.True(await AdvanceUntilAsync(time, () => server.TotalRequestCount == 2) >= TimeSpan.FromSeconds(10));
        Assert.True(await AdvanceUntilAsync(time, () => server.TotalRequestCount == 3) >= TimeSpan.FromSeconds(20));

        await Assert.ThrowsAsync<WhoisConnectionException>(() => lookup);
        Assert.Equal(3, server.TotalRequestCount);
    }

    [Fact]
    public async Task Rate_limit_answers_raise_a_distinct_exception_and_are_not_retried()
    {
        var serverTime = new FakeTimeProvider(WhoisTestSupport.Epoch);
        var options = new LocalWhoisServerOptions
        {
            ServerFaults = new Dictionary<string, WhoisFaultOptions> { [WhoisTestSupport.Verisign] = new() { RateLimitPerSecond = 1 } },
        };
        await using var server = await WhoisTestSupport.StartServerAsync(_population, options, serverTime);
        var client = new WhoisClient(server.ServerTable, _fastRetries with { FollowReferrals = false });

        await client.LookupAsync(_population.RegisteredIn("com").Name, TestContext.Current.CancellationToken);
        var error = await Assert.ThrowsAsync<WhoisRateLimitedException>(
            () => client.LookupAsync(_population.RegisteredIn("net").Name, TestContext.Current.CancellationToken));

        Assert.Equal(WhoisTestSupport.Verisign, error.ServerName);
        Assert.Contains("limit exceeded", error.AnswerText, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(2, server.RequestCount(WhoisTestSupport.Verisign));
    }

    [Fact]
    public async Task A_rate_limited_registrar_leaves_the_registry_answer_usable()
    {
        var first = _population.RegisteredIn("com");
        var registrar = first.Registration!.Registrar.WhoisServer;
        var second = _population.First(d => d.Index > first.Index && d.Tld.HasRegistrarReferral && d.Registration?.Registrar.WhoisServer == registrar);
        var options = new LocalWhoisServerOptions
        {
            ServerFaults = new Dictionary<string, WhoisFaultOptions> { [registrar] = new() { RateLimitPerSecond = 1 } },
        };
        await using var server = await WhoisTestSupport.StartServerAsync(_population, options, new FakeTimeProvider(WhoisTestSupport.Epoch));
        var client = new WhoisClient(server.ServerTable, _fastRetries);

        var ok = await client.LookupAsync(first.Name, TestContext.Current.CancellationToken);
        var limited = await client.LookupAsync(second.Name, TestContext.Current.CancellationToken);

        Assert.NotNull(ok.Referral);
        Assert.Null(limited.Referral);
        Assert.NotNull(limited.ReferralFailure);
        Assert.True(limited.ReferralFailure.IsRateLimited);
        Assert.Equal(registrar, limited.ReferralFailure.ServerName);
        Assert.Contains("Registrar WHOIS Server: " + registrar, limited.Registry.RawText, StringComparison.Ordinal);
        Assert.Same(limited.Registry, limited.Final);
    }

    [Fact]
    public async Task Answers_over_the_maximum_size_are_rejected_without_retry()
    {
        await using var server = await WhoisTestSupport.StartServerAsync(_population);
        var client = new WhoisClient(server.ServerTable, _fastRetries with { MaxAnswerBytes = 256 });

        var error = await Assert.ThrowsAsync<WhoisAnswerTooLargeException>(
            () => client.LookupAsync(_population.RegisteredIn("com").Name, TestContext.Current.CancellationToken));

        Assert.Equal(256, error.MaxBytes);
        Assert.Equal(1, server.TotalRequestCount);
    }

    [Fact]
    public async Task Garbage_is_returned_as_text_for_the_parser_to_reject()
    {
        var options = new LocalWhoisServerOptions { FaultSeed = 5, Faults = new WhoisFaultOptions { GarbageProbability = 1 } };
        await using var server = await WhoisTestSupport.StartServerAsync(_population, options);
        var client = new WhoisClient(server.ServerTable);

        var result = await client.LookupAsync(_population.RegisteredIn("de").Name, TestContext.Current.CancellationToken);

        Assert.Equal(result.Registry.ByteCount, result.RawText.Length);
        Assert.Equal(WhoisServedOutcome.Garbage, Assert.Single(server.AllRequests()).Outcome);
    }

    [Fact]
    public async Task Unknown_suffixes_and_unmapped_servers_fail_without_touching_the_network()
    {
        await using var server = await WhoisTestSupport.StartServerAsync(_population);
        var client = new WhoisClient(server.ServerTable);

        await Assert.ThrowsAsync<WhoisNoServerException>(() => client.LookupAsync("example.zz", TestContext.Current.CancellationToken));
        var error = await Assert.ThrowsAsync<WhoisConnectionException>(() => client.LookupAsync("example.ch", TestContext.Current.CancellationToken));
        Assert.Equal(WhoisConnectionFailure.HostNotFound, error.Failure);
        Assert.Equal("whois.nic.ch", error.ServerName);
        Assert.Equal(0, server.TotalRequestCount);
    }

    [Fact]
    public async Task Refused_connections_are_reported_after_retries()
    {
        // A bound socket that never listens holds a loopback port on which every connection is refused.
        using var closed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closed.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)closed.LocalEndPoint!).Port;
        var table = WhoisServerTable.Empty.WithEndpoint(WhoisTestSupport.Verisign, new WhoisEndpoint("127.0.0.1", port)).WithRequireExplicitEndpoints(true);
        var client = new WhoisClient(table, _fastRetries with { MaxRetryAttempts = 2 });

        var error = await Assert.ThrowsAsync<WhoisConnectionException>(
            () => client.QueryAsync(WhoisTestSupport.Verisign, "dom-000001.com", TestContext.Current.CancellationToken));

        Assert.Equal(WhoisConnectionFailure.Refused, error.Failure);
    }

    [Fact]
    public async Task Caller_cancellation_is_not_reported_as_a_timeout()
    {
        var options = new LocalWhoisServerOptions { Faults = new WhoisFaultOptions { Latency = TimeSpan.FromHours(1) } };
        await using var server = await WhoisTestSupport.StartServerAsync(_population, options);
        var client = new WhoisClient(server.ServerTable, _fastRetries);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var lookup = client.LookupAsync(_population.RegisteredIn("com").Name, cts.Token);
        await WhoisTestSupport.WaitUntilAsync(() => server.TotalRequestCount == 1, "the query is received");
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => lookup);
        Assert.Equal(1, server.TotalRequestCount);
    }

    [Fact]
    public async Task Politeness_keeps_the_server_under_its_rate()
    {
        // One clock for both sides: the politeness grants by it and the server stamps requests by it. Time only
        // moves when every granted query has been answered, so each request is stamped exactly at its grant.
        var time = new FakeTimeProvider(WhoisTestSupport.Epoch);
        await using var server = await WhoisTestSupport.StartServerAsync(_population, timeProvider: time);
        using var politeness = new LocalWhoisPoliteness(
            new LocalWhoisPolitenessOptions { Default = new WhoisPolitenessLimits(RequestsPerSecond: 2, Burst: 1, MaxConcurrency: 4) },
            time);
        var counting = new CountingPoliteness(politeness);
        var client = new WhoisClient(server.ServerTable, new WhoisClientOptions { FollowReferrals = false }, counting, time);
        var domains = Enumerable.Range(0, 7).Select(i => _population.RegisteredIn("com", i * 50)).DistinctBy(d => d.Name).ToList();

        var lookups = domains.Select(d => client.LookupAsync(d.Name, TestContext.Current.CancellationToken)).ToList();
        while (true)
        {
            // Quiet point: every query started so far has reached the server and finished.
            await WhoisTestSupport.WaitUntilAsync(
                () => politeness.GetStatistics(WhoisTestSupport.Verisign).Granted is var started
                    && server.RequestCount(WhoisTestSupport.Verisign) == started
                    && counting.Released == started,
                "started queries are answered");
            if (counting.Released == domains.Count)
                break;
            Assert.True(time.GetUtcNow() - WhoisTestSupport.Epoch < TimeSpan.FromMinutes(1), "the lookups never all started");
            time.Advance(TimeSpan.FromMilliseconds(100));
        }

        await Task.WhenAll(lookups).WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
        Assert.Equal(2, server.MaxRequestsInAnyOneSecondWindow(WhoisTestSupport.Verisign));
        var stamps = server.RequestsTo(WhoisTestSupport.Verisign).Select(r => r.ReceivedAt - WhoisTestSupport.Epoch).ToList();
        Assert.Equal(Enumerable.Range(0, domains.Count).Select(i => TimeSpan.FromMilliseconds(500 * i)), stamps);
    }

    private static async Task<TimeSpan> AdvanceUntilAsync(FakeTimeProvider time, Func<bool> condition)
    {
        var advanced = TimeSpan.Zero;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(15))
                throw new TimeoutException("The client never retried.");
            time.Advance(TimeSpan.FromSeconds(1));
            advanced += TimeSpan.FromSeconds(1);
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        return advanced;
    }

    private sealed class CountingPoliteness(IWhoisPoliteness inner) : IWhoisPoliteness
    {
        private int _granted;
        private int _released;

        public int Granted => Volatile.Read(ref _granted);

        public int Released => Volatile.Read(ref _released);

        public async ValueTask<IAsyncDisposable> AcquireAsync(string serverName, CancellationToken cancellationToken)
        {
            var lease = await inner.AcquireAsync(serverName, cancellationToken);
            Interlocked.Increment(ref _granted);
            return new Lease(this, lease);
        }

        private sealed class Lease(CountingPoliteness owner, IAsyncDisposable inner) : IAsyncDisposable
        {
            public async ValueTask DisposeAsync()
            {
                await inner.DisposeAsync();
                Interlocked.Increment(ref owner._released);
            }
        }
    }
}
