using System.Diagnostics;
using HeavyJobs.Whois.Client;
using HeavyJobs.Whois.Server;
using Microsoft.Extensions.Time.Testing;

namespace HeavyJobs.Whois.Tests.Server;

public sealed class LocalWhoisServerTests
{
    private static readonly SyntheticPopulation _population = WhoisTestSupport.Population();

    [Fact]
    public async Task Answers_records_and_not_found_over_tcp()
    {
        await using var server = await WhoisTestSupport.StartServerAsync(_population);
        var registered = _population.RegisteredIn("com");
        var unregistered = _population.UnregisteredIn("com");
        var port = server.PortOf(WhoisTestSupport.Verisign);

        var record = await WhoisTestSupport.QueryAsync(port, registered.Name);
        var missing = await WhoisTestSupport.QueryAsync(port, unregistered.Name);
        var foreign = await WhoisTestSupport.QueryAsync(port, _population.RegisteredIn("de").Name);

        Assert.Contains($"Domain Name: {registered.Name.ToUpperInvariant()}", record, StringComparison.Ordinal);
        Assert.StartsWith($"No match for \"{unregistered.Name.ToUpperInvariant()}\".", missing, StringComparison.Ordinal);
        Assert.StartsWith("No match for \"", foreign, StringComparison.Ordinal);
        Assert.Equal(
            [WhoisServedOutcome.Record, WhoisServedOutcome.NotFound, WhoisServedOutcome.NotFound],
            server.RequestsTo(WhoisTestSupport.Verisign).Select(r => r.Outcome));
    }

    [Fact]
    public async Task Registrar_servers_answer_for_the_domains_they_sponsor_only()
    {
        await using var server = await WhoisTestSupport.StartServerAsync(_population);
        var domain = _population.RegisteredIn("net");
        var registrar = domain.Registration!.Registrar.WhoisServer;
        var other = server.RegistrarServerNames.First(n => n != registrar);

        var answer = await WhoisTestSupport.QueryAsync(server.PortOf(registrar), domain.Name);
        var refusal = await WhoisTestSupport.QueryAsync(server.PortOf(other), domain.Name);

        Assert.Contains("Registrar Registration Expiration Date:", answer, StringComparison.Ordinal);
        Assert.StartsWith("No match for", refusal, StringComparison.Ordinal);
        Assert.Equal(1, server.RequestCount(registrar));
        Assert.Equal(1, server.RequestCount(other));
        Assert.Equal(2, server.TotalRequestCount);
    }

    [Theory]
    [InlineData("de", "-T dn,ace {0}", "Status: connect")]
    [InlineData("jp", "{0}/e", "Domain Information:")]
    [InlineData("nl", "-V Md5.5.17 {0}", "Status:      active")]
    [InlineData("com", "={0}", "Registry Expiry Date:")]
    [InlineData("com", "domain {0}", "Registry Expiry Date:")]
    [InlineData("se", "--charset=utf-8 --show-handles {0}", "state:            ")]
    public async Task Understands_the_query_decorations_of_common_clients(string suffix, string format, string expected)
    {
        await using var server = await WhoisTestSupport.StartServerAsync(_population);
        var domain = _population.First(d => d.Tld.Suffix == suffix && d.IsRegistered && !d.Registration!.Statuses.Contains("clientHold"));
        var query = string.Format(System.Globalization.CultureInfo.InvariantCulture, format, domain.Name.ToUpperInvariant());

        var answer = await WhoisTestSupport.QueryAsync(server.PortOf(domain.Tld.RegistryServer), query);

        Assert.Contains(expected, answer, StringComparison.Ordinal);
        var request = Assert.Single(server.RequestsTo(domain.Tld.RegistryServer));
        Assert.Equal(query, request.Query);
        Assert.Equal(domain.Name, request.Domain);
        Assert.Equal(WhoisServedOutcome.Record, request.Outcome);
    }

    [Fact]
    public async Task Same_fault_seed_gives_the_same_fault_sequence()
    {
        var options = new LocalWhoisServerOptions
        {
            FaultSeed = 2024,
            Faults = new WhoisFaultOptions
            {
                ResetProbability = 0.2,
                CloseWithoutAnswerProbability = 0.2,
                GarbageProbability = 0.25,
                TruncateProbability = 0.25,
            },
        };
        var domain = _population.RegisteredIn("org");

        async Task<(List<WhoisServedOutcome> Outcomes, List<int> Lengths)> RunAsync()
        {
            await using var server = await WhoisTestSupport.StartServerAsync(_population, options, new FakeTimeProvider(WhoisTestSupport.Epoch));
            var lengths = new List<int>();
            for (var i = 0; i < 24; i++)
            {
                try
                {
                    lengths.Add((await WhoisTestSupport.QueryBytesAsync(server.PortOf("whois.pir.org"), domain.Name)).Length);
                }
                catch (System.Net.Sockets.SocketException)
                {
                    lengths.Add(-1);
                }
            }

            return ([.. server.RequestsTo("whois.pir.org").Select(r => r.Outcome)], lengths);
        }

        var first = await RunAsync();
        var second = await RunAsync();

        Assert.Equal(first.Outcomes, second.Outcomes);
        Assert.Equal(first.Lengths, second.Lengths);
        foreach (var outcome in (WhoisServedOutcome[])[WhoisServedOutcome.Reset, WhoisServedOutcome.ClosedWithoutAnswer, WhoisServedOutcome.Garbage, WhoisServedOutcome.Truncated, WhoisServedOutcome.Record])
            Assert.Contains(outcome, first.Outcomes);

        var full = first.Lengths[first.Outcomes.IndexOf(WhoisServedOutcome.Record)];
        var truncated = first.Lengths[first.Outcomes.IndexOf(WhoisServedOutcome.Truncated)];
        Assert.InRange(truncated, 1, full - 1);
        Assert.Equal(0, first.Lengths[first.Outcomes.IndexOf(WhoisServedOutcome.ClosedWithoutAnswer)]);
    }

    [Fact]
    public async Task Rate_limit_injection_refuses_queries_over_the_limit_per_second()
    {
        var time = new FakeTimeProvider(WhoisTestSupport.Epoch);
        var options = new LocalWhoisServerOptions
        {
            ServerFaults = new Dictionary<string, WhoisFaultOptions> { ["whois.denic.de"] = new() { RateLimitPerSecond = 2 } },
        };
        await using var server = await WhoisTestSupport.StartServerAsync(_population, options, time);
        var domain = _population.RegisteredIn("de");
        var port = server.PortOf("whois.denic.de");

        var answers = new List<string>();
        for (var i = 0; i < 5; i++)
            answers.Add(await WhoisTestSupport.QueryAsync(port, domain.Name));
        time.Advance(TimeSpan.FromMilliseconds(999));
        answers.Add(await WhoisTestSupport.QueryAsync(port, domain.Name));
        time.Advance(TimeSpan.FromMilliseconds(1));
        answers.Add(await WhoisTestSupport.QueryAsync(port, domain.Name));

        Assert.Equal(
            [true, true, false, false, false, false, true],
            answers.Select(a => a.Contains("Status: connect", StringComparison.Ordinal)));
        Assert.All(answers.Where(a => !a.Contains("Status: connect", StringComparison.Ordinal)), a => Assert.True(WhoisRateLimitDetector.IsRateLimited(a)));
        Assert.Equal(3, server.RequestsTo("whois.denic.de").Count(r => r.Outcome == WhoisServedOutcome.RateLimited && r.ReceivedAt == WhoisTestSupport.Epoch));
        Assert.Equal(6, server.MaxRequestsInAnyOneSecondWindow("whois.denic.de"));

        // Other servers are not limited.
        var com = _population.RegisteredIn("com");
        for (var i = 0; i < 4; i++)
            Assert.Contains("Registry Expiry Date", await WhoisTestSupport.QueryAsync(server.PortOf(WhoisTestSupport.Verisign), com.Name), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Recorder_reports_counts_and_the_busiest_one_second_window(bool recordRequests)
    {
        var time = new FakeTimeProvider(WhoisTestSupport.Epoch);
        await using var server = await WhoisTestSupport.StartServerAsync(_population, new LocalWhoisServerOptions { RecordRequests = recordRequests }, time);
        var domain = _population.RegisteredIn("fr");
        var port = server.PortOf("whois.nic.fr");

        foreach (var step in (int[])[0, 400, 500, 400, 1200])
        {
            time.Advance(TimeSpan.FromMilliseconds(step));
            await WhoisTestSupport.QueryAsync(port, domain.Name);
        }

        // Requests at 0, 0.4, 0.9, 1.3 and 2.5 s: [0.4, 1.4) holds three of them.
        Assert.Equal(3, server.MaxRequestsInAnyOneSecondWindow("whois.nic.fr"));
        Assert.Equal(5, server.RequestCount("whois.nic.fr"));
        Assert.Equal(5, server.RequestCounts["whois.nic.fr"]);
        Assert.Equal(0, server.RequestCounts[WhoisTestSupport.Verisign]);
        // Without recording, only the counts and the window are kept: a refresh of millions stays small.
        Assert.Equal(
            recordRequests ? [0, 400, 900, 1300, 2500] : [],
            server.RequestsTo("whois.nic.fr").Select(r => (int)(r.ReceivedAt - WhoisTestSupport.Epoch).TotalMilliseconds));

        server.ClearRecordings();
        Assert.Equal(0, server.TotalRequestCount);
        Assert.Equal(0, server.MaxRequestsInAnyOneSecondWindow("whois.nic.fr"));
    }

    [Fact]
    public async Task Server_table_points_every_logical_server_at_loopback()
    {
        await using var server = await WhoisTestSupport.StartServerAsync(_population);
        var table = server.ServerTable;

        Assert.True(table.RequireExplicitEndpoints);
        Assert.Equal(37, server.ServerNames.Count);
        foreach (var name in server.ServerNames)
            Assert.Equal(new WhoisEndpoint("127.0.0.1", server.PortOf(name)), table.ResolveEndpoint(name));
        Assert.Equal(server.ServerNames.Count, server.ServerNames.Select(server.PortOf).Distinct().Count());
        Assert.Equal("whois.nic.uk", table.FindServerForDomain("dom-000001.co.uk"));
        Assert.Throws<InvalidOperationException>(() => table.ResolveEndpoint("whois.nic.ch"));
    }

    [Fact]
    public void Rejects_faults_for_unknown_servers_and_impossible_probabilities()
    {
        Assert.Throws<ArgumentException>(() => new LocalWhoisServer(_population, new LocalWhoisServerOptions
        {
            ServerFaults = new Dictionary<string, WhoisFaultOptions> { ["whois.verisign.com"] = new() { ResetProbability = 1 } },
        }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LocalWhoisServer(_population, new LocalWhoisServerOptions
        {
            Faults = new WhoisFaultOptions { ResetProbability = 0.7, CloseWithoutAnswerProbability = 0.7 },
        }));
    }

    [Fact]
    public async Task Stopping_cuts_injected_latency_short()
    {
        var options = new LocalWhoisServerOptions { Faults = new WhoisFaultOptions { Latency = TimeSpan.FromHours(1) } };
        var server = await WhoisTestSupport.StartServerAsync(_population, options);
        var domain = _population.RegisteredIn("com");
        var pending = WhoisTestSupport.QueryAsync(server.PortOf(WhoisTestSupport.Verisign), domain.Name);
        await WhoisTestSupport.WaitUntilAsync(() => server.TotalRequestCount == 1, "the query is received");

        await server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);

        Assert.Equal(string.Empty, await pending.WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task The_debian_whois_client_can_query_it()
    {
        const string WhoisPath = "/usr/bin/whois";
        Assert.True(File.Exists(WhoisPath), "the Debian whois client is missing: ./test.sh installs it (apt-get install whois)");
        await using var server = await WhoisTestSupport.StartServerAsync(_population);
        var domain = _population.RegisteredIn("com");
        var start = new ProcessStartInfo(WhoisPath)
        {
            ArgumentList = { "-h", "127.0.0.1", "-p", server.PortOf(WhoisTestSupport.Verisign).ToString(System.Globalization.CultureInfo.InvariantCulture), domain.Name },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Contains($"Domain Name: {domain.Name.ToUpperInvariant()}", output, StringComparison.Ordinal);
        Assert.Equal(domain.Name, Assert.Single(server.RequestsTo(WhoisTestSupport.Verisign)).Query);
    }
}
