using System.Text.Json;
using HeavyJobs.Testing;
using HeavyJobs.Whois.Pipeline;

namespace HeavyJobs.Whois.Tests.Pipeline;

public sealed class AggregateHandlerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Parse records of 400 domains: many name-server providers (one count each), a few of everything else.</summary>
    private static HandlerHarness Aggregating(Func<AggregateHandler> handler)
    {
        var random = new Random(5);
        var harness = HandlerHarness.For(handler).WithChunk(stage: 2, type: WhoisPipeline.Aggregate);
        for (var i = 0; i < 400; i++)
        {
            var domain = $"d{i}.{(i % 3 == 0 ? "com" : "org")}";
            var record = i % 10 == 0
                ? JsonSerializer.Serialize(new { status = "not-found" })
                : JsonSerializer.Serialize(new
                {
                    status = "registered",
                    registrar = $"Registrar {random.Next(6)}",
                    expires = $"2027-0{random.Next(1, 10)}-01T00:00:00Z",
                    statuses = new[] { "ok" },
                    nameServers = new[] { $"ns1.provider-{random.Next(300)}.net", $"ns2.provider-{random.Next(300)}.net" },
                });
            harness.WithOutput(chunkId: 100 + (i / 50), stage: 1, domain, record);
        }

        return harness;
    }

    [Fact]
    public async Task Counts_spilled_to_disk_and_written_over_many_checkpoints_through_kills_come_out_once_and_as_counted_in_memory()
    {
        var inMemory = await Aggregating(() => new AggregateHandler()).RunAsync(Ct);
        Assert.True(inMemory.Completed);

        var spilled = await Aggregating(() => new AggregateHandler { SpillAt = 7, OutputsPerCheckpoint = 20 })
            .KillAtRandom(seed: 3, kills: 6, chance: 0.3)
            .RunAsync(Ct);

        Assert.True(spilled.Completed);
        Assert.Equal(6, spilled.Kills);
        Assert.Empty(spilled.DuplicateOutputs);
        Assert.Equal(
            inMemory.Outputs.Select(o => (o.Key, o.Data)).OrderBy(o => o.Key, StringComparer.Ordinal),
            spilled.Outputs.Select(o => (o.Key, o.Data)).OrderBy(o => o.Key, StringComparer.Ordinal));
        Assert.Equal("400", spilled.Outputs.Single(o => o.Key == "summary|domains").Data);
        // Hundreds of counts in checkpoints of 20, and the chunk's counters once, with the last.
        Assert.True(spilled.Checkpoints.Count >= 10, $"{spilled.Checkpoints.Count} checkpoints");
        Assert.Equal(400, spilled.Counters.Done);
        Assert.Equal(inMemory.Counters, spilled.Counters);
    }
}
