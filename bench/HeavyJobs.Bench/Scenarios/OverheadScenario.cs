using System.Globalization;
using HeavyJobs.Bench.Modes;

namespace HeavyJobs.Bench.Scenarios;

/// <summary>
/// Scenario 5: small CPU items (a few microseconds each) in a plain loop in its own process, against the
/// same items as one HeavyJobs job run by one worker process with a checkpoint every 1,000 items, from the
/// enqueue's commit to the last completion. Each run pairs the two; the ratio is the median of the pairs'.
/// Both sides run in this executable, which like `heavyjobs` compiles every method once, fully optimised:
/// with .NET's tiered JIT a fresh worker ran the item function unoptimised for seconds while thousands of its
/// other methods queued for recompilation, and the ratio measured the JIT's warm-up, not the job system.
/// </summary>
internal static class OverheadScenario
{
    public static async Task RunAsync(BenchContext ctx, string kind)
    {
        var items = ctx.Quick ? 200_000 : 1_000_000;
        const int chunks = 10;
        var ratios = new List<double>();
        var plainRates = new List<double>();
        // Five pairs, not three: a run is about a second, and a second on this shared machine can lose 0.1 s
        // to whatever else wakes up (the spread of single runs was 1.05 to 1.19 within a few minutes).
        for (var run = 0; run < 5; run++)
        {
            await using (var plain = Child.Self("plain", "--items", items.ToString(CultureInfo.InvariantCulture)))
            {
                var line = await plain.LineAsync("plain ", TimeSpan.FromMinutes(5));
                plainRates.Add(double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture));
            }

            var db = await ctx.FreshAsync(kind, "overhead");
            var worker = Child.Self("worker", "--db", db, "--types", BenchHandlers.Work);
            try
            {
                await worker.LineAsync("ready", TimeSpan.FromSeconds(60));
                long job, committed;
                await using var poll = await Sql.OpenAsync(db);
                await using (var store = BenchStores.Open(db))
                {
                    // A warm-up job: the worker's first chunk opens its connections and prepares its statements. Its
                    // chunks are as long as the measured ones, so that they write checkpoints of their own as well:
                    // shorter ones finished inside the write-behind window, their checkpoints went in with their
                    // completions, and the measured job's first checkpoint compiled that whole path (20-60 ms).
                    var warm = await BenchContext.EnqueueAsync(store, BenchHandlers.Work, Inputs(items / 5, 2));
                    await BenchContext.WaitDoneAsync(db, warm, 2, TimeSpan.FromMinutes(10));
                    await Task.Delay(300);
                    job = await BenchContext.EnqueueAsync(store, BenchHandlers.Work, Inputs(items, chunks));
                    committed = Clock.NowUs();
                }

                var lastMs = await BenchContext.WaitDoneAsync(poll, db, job, chunks, TimeSpan.FromMinutes(10));
                var seconds = ((lastMs * 1000.0) - committed) / 1e6;
                ratios.Add(seconds / plainRates[^1]);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  overhead {kind} run {run + 1}: plain {plainRates[^1]:F3} s, HeavyJobs {seconds:F3} s"));
            }
            finally
            {
                await worker.DisposeAsync();
                await ctx.DropAsync(db);
            }
        }

        ctx.Results.Median($"{kind}.overhead.ratio", ratios);
        ctx.Results.Median($"{kind}.overhead.plain_seconds", plainRates);
        ctx.Results.Set("overhead.items", items);
    }

    private static List<string> Inputs(int items, int chunks)
    {
        var per = items / chunks;
        return Enumerable.Range(0, chunks).Select(i => $$"""{"start":{{i * per}},"end":{{(i + 1) * per}}}""").ToList();
    }
}
