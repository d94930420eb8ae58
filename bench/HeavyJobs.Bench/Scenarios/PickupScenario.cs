using System.Globalization;
using HeavyJobs.Bench.Modes;
using HeavyJobs.Storage.Chunks;

namespace HeavyJobs.Bench.Scenarios;

/// <summary>
/// Scenario 3: an idle worker in another process; one chunk is enqueued at a time, and its handler writes the
/// wall-clock time it started. Pickup latency is that minus the moment the enqueue's commit returned.
/// </summary>
internal static class PickupScenario
{
    public static async Task RunAsync(BenchContext ctx, string kind)
    {
        // Enough pickups that the p99 is not just the slowest one: 60 made it a single pickup that waited for
        // a core (6 to 22 ms from run to run).
        var samples = ctx.Quick ? 200 : 300;
        const int warmup = 3;
        var db = await ctx.FreshAsync(kind, "pickup");
        var worker = Child.Self("worker", "--db", db, "--types", BenchHandlers.Stamp);
        var latencies = new List<double>();
        var random = new Random(6);
        try
        {
            await worker.LineAsync("ready", TimeSpan.FromSeconds(60));
            await Task.Delay(500);
            await using var store = BenchStores.Open(db);
            for (var i = 0; i < samples + warmup; i++)
            {
                var job = await BenchContext.EnqueueAsync(store, BenchHandlers.Stamp, ["{}"]);
                var committed = Clock.NowUs();
                var deadline = DateTime.UtcNow.AddSeconds(10);
                IReadOnlyList<OutputRow> outputs;
                while ((outputs = await store.OutputListAsync(new OutputListParams(job), CancellationToken.None)).Count == 0)
                {
                    if (DateTime.UtcNow > deadline)
                    {
                        throw new TimeoutException($"pickup {kind}: chunk of job {job} not run within 10 s");
                    }

                    await Task.Delay(5);
                }

                if (i >= warmup)
                {
                    latencies.Add((long.Parse(outputs[0].Data, CultureInfo.InvariantCulture) - committed) / 1000.0);
                }

                // The next enqueue finds the worker asleep again.
                await Task.Delay(random.Next(30, 80));
            }
        }
        finally
        {
            await worker.DisposeAsync();
            await ctx.DropAsync(db);
        }

        ctx.Results.Set($"{kind}.pickup.p50_ms", Clock.Percentile(latencies, 50), $"{latencies.Count} pickups");
        ctx.Results.Set($"{kind}.pickup.p99_ms", Clock.Percentile(latencies, 99), $"{latencies.Count} pickups");
        ctx.Results.Set($"{kind}.pickup.max_ms", latencies.Max(), $"{latencies.Count} pickups");
    }
}
