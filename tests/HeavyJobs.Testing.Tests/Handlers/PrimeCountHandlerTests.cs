using System.Globalization;
using HeavyJobs.Demo;

namespace HeavyJobs.Testing.Tests.Handlers;

/// <summary>The demo's real handler through the harness: its segment counts are committed exactly once, however it is killed.</summary>
public sealed class PrimeCountHandlerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Ten segments of 100,000 numbers below a million, whose primes are known: 78,498.
    private static HandlerHarness Harness() =>
        HandlerHarness.For<PrimeCountHandler>().WithInput(new { start = 0, end = 1_000_000 }).WithParameters(new { segment = 100_000 });

    private static long Total(HandlerResult result) => result.Outputs.Sum(o => long.Parse(o.Data, CultureInfo.InvariantCulture));

    [Fact]
    public async Task ACleanRun_CommitsOneOutputPerSegment_WithTheKnownTotal()
    {
        var result = await Harness().RunAsync(Ct);

        Assert.Equal(10, result.Checkpoints.Count);
        Assert.Equal("1000000", result.Cursor);
        Assert.Equal(DemoJobs.KnownPrimeCounts[1_000_000], Total(result));
        Assert.Equal(DemoJobs.KnownPrimeCounts[1_000_000], result.Counters.Good);
    }

    [Fact]
    public async Task KilledTwice_ItResumesFromItsCursor_AndEverySegmentIsCommittedExactlyOnce()
    {
        var result = await Harness().KillAfterCheckpoint(3).KillAfterCheckpoint(7).RunAsync(Ct);

        Assert.Equal(2, result.Kills);
        Assert.Equal([null, "300000", "700000"], result.Runs.Select(r => r.StartCursor));
        Assert.Equal(10, result.Outputs.Count);
        Assert.Empty(result.DuplicateOutputs);
        Assert.Equal(DemoJobs.KnownPrimeCounts[1_000_000], Total(result));
        Assert.Equal(DemoJobs.KnownPrimeCounts[1_000_000], result.Counters.Good);
        Assert.Equal(1_000_000, result.Counters.Done);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task KilledAtRandom_EverySegmentIsCommittedExactlyOnce(int seed)
    {
        var result = await Harness().KillAtRandom(seed, kills: 3, chance: 0.2).RunAsync(Ct);

        Assert.True(result.Kills > 0);
        Assert.Equal(10, result.Outputs.Count);
        Assert.Empty(result.DuplicateOutputs);
        Assert.Equal(DemoJobs.KnownPrimeCounts[1_000_000], Total(result));
        Assert.Equal(DemoJobs.KnownPrimeCounts[1_000_000], result.Counters.Good);
    }

    [Fact]
    public async Task Stopped_ItStopsAtOnce_LosingNothing()
    {
        var result = await Harness().StopAtCheckpoint(4).RunAsync(Ct);

        Assert.Equal((RunEnding.Stopped, 0), (result.Runs[0].Ending, result.Runs[0].CheckpointsAfterStop));
        Assert.True(result.Runs[0].Discarded.IsEmpty);
        Assert.Equal(DemoJobs.KnownPrimeCounts[1_000_000], Total(result));
    }
}
