using System.Text.Json;
using HeavyJobs.Whois.Pipeline;
using HeavyJobs.Whois.Server;

namespace HeavyJobs.Testing.Tests.Handlers;

/// <summary>
/// The pilot's real fetcher through the harness, against a real local WHOIS server: many queries in flight,
/// finishing out of order, and each domain committed exactly once whatever kills the worker in between.
/// </summary>
public sealed class WhoisFetchHandlerTests
{
    private const int Domains = 120;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task KilledAtRandom_EveryDomainIsCommittedOnce_AndParsedFromOneEmittedChunk()
    {
        var population = new SyntheticPopulation(seed: 5, size: Domains);
        // Latency that differs per server, so queries finish out of order and the cursor has gaps to carry.
        var slow = population.Tlds.Select(t => t.RegistryServer).Distinct(StringComparer.OrdinalIgnoreCase).Take(2)
            .ToDictionary(s => s, _ => new WhoisFaultOptions { Latency = TimeSpan.FromMilliseconds(60) }, StringComparer.OrdinalIgnoreCase);
        await using var server = new LocalWhoisServer(population, new LocalWhoisServerOptions { Faults = new WhoisFaultOptions { Latency = TimeSpan.FromMilliseconds(5) }, ServerFaults = slow });
        await server.StartAsync(Ct);
        var domains = Enumerable.Range(0, Domains).Select(i => population.Domain(i)).ToList();

        var result = await (await HarnessAsync(server, domains)).KillAtRandom(seed: 3, kills: 4, chance: 0.3).RunAsync(Ct);

        Assert.True(result.Completed, result.LastError?.ToString());
        Assert.True(result.Kills > 0);
        Assert.Empty(result.DuplicateOutputs);
        Assert.Equal(domains.Order(StringComparer.Ordinal), result.Outputs.Select(o => o.Key).Order(StringComparer.Ordinal));
        var parsed = result.Emitted.SelectMany(e => JsonDocument.Parse(e.Input).RootElement.GetProperty("domains").EnumerateArray().Select(d => d.GetString()!)).ToList();
        Assert.Equal(domains.Order(StringComparer.Ordinal), parsed.Order(StringComparer.Ordinal));
        Assert.Contains(result.Checkpoints, c => c.Cursor?.Contains(';', StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task ResumedFromACursorWithGaps_ItFetchesExactlyTheDomainsNotDone()
    {
        var population = new SyntheticPopulation(seed: 5, size: 20);
        await using var server = new LocalWhoisServer(population);
        await server.StartAsync(Ct);
        var domains = Enumerable.Range(0, 20).Select(i => population.Domain(i)).ToList();

        var result = await (await HarnessAsync(server, domains)).WithCursor("4;6-9,15").RunAsync(Ct);

        int[] left = [4, 5, 10, 11, 12, 13, 14, 16, 17, 18, 19];
        Assert.Equal(left.Select(i => domains[i]).Order(StringComparer.Ordinal), result.Outputs.Select(o => o.Key).Order(StringComparer.Ordinal));
        var registryQueries = server.RegistryServerNames.SelectMany(server.RequestsTo).Select(r => r.Domain).ToList();
        Assert.Equal(left.Select(i => domains[i]).Order(StringComparer.Ordinal), registryQueries.Order(StringComparer.Ordinal));
        Assert.Equal("20", result.Cursor);
    }

    private static async Task<HandlerHarness> HarnessAsync(LocalWhoisServer server, IReadOnlyList<string> domains)
    {
        using var table = new MemoryStream();
        await server.ServerTable.SaveJsonAsync(table, Ct);
        return HandlerHarness.For<FetchHandler>()
            .WithChunk(jobId: 1, chunkId: 9, stage: 0, type: WhoisPipeline.Fetch)
            .WithInput(new { keys = domains })
            .WithParameters(new { serverTable = JsonDocument.Parse(table.ToArray()).RootElement, ratePerServer = 1000, concurrencyPerServer = 8, maxInFlight = 16, every = 7 });
    }
}
