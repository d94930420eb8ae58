using HeavyJobs.Testing;
using HeavyJobs.Whois.Client;
using HeavyJobs.Whois.Pipeline;
using HeavyJobs.Whois.Server;
using HeavyJobs.Whois.Tests.Server;

namespace HeavyJobs.Whois.Tests.Pipeline;

public sealed class FetchRunTests
{
    private static readonly SyntheticPopulation _population = WhoisTestSupport.Population();

    /// <summary>
    /// The fault injected: a lane's books say one of its queries still waits for its turn while none is in flight,
    /// so the lane never starts its domains again. The run must not return as if the chunk were fetched: that
    /// would complete it short, and no later stage would miss the domains.
    /// </summary>
    [Fact]
    public async Task A_run_that_runs_out_of_queries_to_start_fails_and_keeps_what_it_fetched()
    {
        await using var server = await WhoisTestSupport.StartServerAsync(_population);
        var stuck = _population.RegisteredIn("com");
        var fine = _population.RegisteredIn("org");
        var keys = new[] { stuck.Name, fine.Name, _population.RegisteredIn("com", start: stuck.Index + 1).Name };
        var lanes = new FetchLanes(maxInFlight: 8, widest: 4);
        lanes.Add("stuck", 0);
        lanes.Add("stuck", 2);
        lanes.Add("fine", 1);
        Assert.True(lanes.TryStart(out var lane, out var index));
        Assert.Equal(("stuck", 0), (lane, index));
        lanes.Finished("stuck", turned: true);
        var context = new TestChunkContext { ChunkId = 7 };
        var progress = FetchProgress.Parse(null, keys.Length);
        var run = new FetchRun(context, new WhoisClient(server.ServerTable), keys, progress, lanes, every: 10, TimeProvider.System);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => run.RunAsync(TestContext.Current.CancellationToken));

        Assert.Contains("2 of its 3 domains not fetched", error.Message, StringComparison.Ordinal);
        Assert.Contains("stuck: 1 waiting, 0 in flight, 1 awaiting a turn", error.Message, StringComparison.Ordinal);
        // The domain that was fetched is committed with a cursor that names it alone: the retry fetches the others.
        Assert.Equal([fine.Name], context.Outputs.Select(o => o.Key));
        Assert.Equal("0;1", context.Cursor);
    }
}
