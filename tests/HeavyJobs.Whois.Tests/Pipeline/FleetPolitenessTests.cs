using HeavyJobs.Core.Handlers;
using HeavyJobs.Testing;
using HeavyJobs.Whois.Pipeline;

namespace HeavyJobs.Whois.Tests.Pipeline;

public sealed class FleetPolitenessTests
{
    /// <summary>
    /// A lookup is cancelled (its chunk stops, or another query's failure ends the run) just as its server answers
    /// that the limit is exceeded: the fleet is still told, or the other workers' next queries land in the pause.
    /// </summary>
    [Fact]
    public async Task A_push_back_read_by_a_cancelled_lookup_still_pauses_the_fleet()
    {
        var context = new TestChunkContext { ChunkId = 3 };
        var politeness = new FleetPoliteness(context, new ResourceLimit(5, 2, TimeSpan.FromMinutes(1)), TimeSpan.FromSeconds(2), TimeProvider.System);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await politeness.PushedBackAsync("whois.nic.uk", cancelled.Token);

        Assert.Equal([("whois:whois.nic.uk", TimeSpan.FromSeconds(2))], context.BackOffs);
    }
}
