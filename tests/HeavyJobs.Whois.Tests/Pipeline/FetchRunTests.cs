using System.Collections.Concurrent;
using HeavyJobs.Core.Handlers;
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

    /// <summary>
    /// The loop's books against turns that come in every order a fleet gives them: each server's turns behind a
    /// gate of two, and each turn taken, granted and given back at once, after a yield or after a sleep, at random.
    /// Every run must fetch every domain once (a lane left waiting now fails the run; a domain twice fails
    /// <see cref="FetchProgress.MarkDone"/>).
    /// </summary>
    [Fact]
    public async Task Under_turns_in_every_order_each_run_fetches_every_domain_once()
    {
        await using var server = await WhoisTestSupport.StartServerAsync(_population);
        for (var run = 0; run < 30; run++)
        {
            var keys = Enumerable.Range(run * 60, 60).Select(i => _population.Domain(i)).ToList();
            var context = new TestChunkContext { ChunkId = run + 1, Turns = new ShuffledTurns(new Random(run)).TakeAsync };
            var lanes = new FetchLanes(maxInFlight: 8, widest: 2);
            for (var i = 0; i < keys.Count; i++)
            {
                lanes.Add(server.ServerTable.FindServerForDomain(keys[i]) ?? "", i);
            }

            var progress = FetchProgress.Parse(null, keys.Count);
            var client = new WhoisClient(server.ServerTable, politeness: new FleetPoliteness(context, new ResourceLimit(1000, 2, TimeSpan.FromMinutes(1)), TimeSpan.FromMilliseconds(10), TimeProvider.System));
            await new FetchRun(context, client, keys, progress, lanes, every: 7, TimeProvider.System).RunAsync(TestContext.Current.CancellationToken);

            Assert.True(progress.AllDone, $"run {run}: {progress}");
            Assert.Equal(keys.Order(StringComparer.Ordinal), context.Outputs.Select(o => o.Key).Order(StringComparer.Ordinal));
            Assert.True(lanes.MostInFlight > 1, $"run {run}: one query at a time");
        }
    }

    /// <summary>Turns at a fleet-wide limit: a gate per resource, each turn taken and given back after a random pause (none, a yield or a sleep).</summary>
    private sealed class ShuffledTurns(Random random)
    {
        private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new();

        public async ValueTask<IAsyncDisposable> TakeAsync(string resource, ResourceLimit limit, CancellationToken cancellationToken)
        {
            var gate = _gates.GetOrAdd(resource, _ => new SemaphoreSlim(limit.Concurrency));
            await PauseAsync();
            await gate.WaitAsync(cancellationToken);
            await PauseAsync();
            return new Turn(gate, this);
        }

        private async Task PauseAsync()
        {
            int pick;
            lock (random)
            {
                pick = random.Next(3);
            }

            if (pick == 1)
            {
                await Task.Yield();
            }
            else if (pick == 2)
            {
                await Task.Delay(1);
            }
        }

        private sealed class Turn(SemaphoreSlim gate, ShuffledTurns owner) : IAsyncDisposable
        {
            public async ValueTask DisposeAsync()
            {
                await owner.PauseAsync();
                gate.Release();
            }
        }
    }
}
