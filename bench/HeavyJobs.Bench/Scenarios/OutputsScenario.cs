using HeavyJobs.Bench.Modes;

namespace HeavyJobs.Bench.Scenarios;

/// <summary>
/// Chunks that write what they found: N one-output chunks, and N that also emit a next-stage chunk, each beside
/// N no-op chunks of the same handler on the same workers and table, taken in turns three times, so that each
/// ratio to the no-op rate is one of the same conditions. Every pilot stage writes an output per chunk.
/// </summary>
internal static class OutputsScenario
{
    public static async Task RunAsync(BenchContext ctx, string kind)
    {
        var chunks = ctx.Quick ? 50_000 : 200_000;
        var warmup = ctx.Quick ? 30_000 : 100_000;
        var db = await ctx.FreshAsync(kind, "outputs");
        var children = new List<Child>();
        var (noop, output, emit) = (new List<double>(), new List<double>(), new List<double>());
        var (outputCpu, emitCpu) = (new List<double>(), new List<double>());
        try
        {
            children = await ShapedBurn.StartWorkersAsync(kind, db);
            // Unmeasured: each path's first runs, as in the no-op burn-down.
            foreach (var shape in new[] { ShapedBurn.NoOp, ShapedBurn.OneOutput, ShapedBurn.Emit })
            {
                await ShapedBurn.RunAsync(db, children, warmup, shape);
            }

            for (var run = 0; run < 3; run++)
            {
                var n = await ShapedBurn.RunAsync(db, children, chunks, ShapedBurn.NoOp);
                var o = await ShapedBurn.RunAsync(db, children, chunks, ShapedBurn.OneOutput);
                var e = await ShapedBurn.RunAsync(db, children, chunks, ShapedBurn.Emit);
                noop.Add(n.Rate);
                output.Add(o.Rate);
                emit.Add(e.Rate);
                outputCpu.Add(o.CpuUs);
                emitCpu.Add(e.CpuUs);
                Console.WriteLine(ShapedBurn.Line($"{kind} run {run + 1} no-op", n.Rate, n.CpuUs));
                Console.WriteLine(ShapedBurn.Line($"{kind} run {run + 1} one output", o.Rate, o.CpuUs));
                Console.WriteLine(ShapedBurn.Line($"{kind} run {run + 1} one output and one emitted chunk", e.Rate, e.CpuUs));
            }
        }
        finally
        {
            foreach (var c in children)
            {
                await c.DisposeAsync();
            }

            await ctx.DropAsync(db);
        }

        ctx.Results.Median($"{kind}.burndown_outputs.noop_chunks_per_s", noop);
        ctx.Results.Median($"{kind}.burndown_outputs.chunks_per_s", output);
        ctx.Results.Median($"{kind}.burndown_outputs.worker_cpu_us_per_chunk", outputCpu);
        ctx.Results.Median($"{kind}.burndown_emitted.chunks_per_s", emit);
        ctx.Results.Median($"{kind}.burndown_emitted.worker_cpu_us_per_chunk", emitCpu);
        ctx.Results.Set($"{kind}.burndown_outputs.chunks", chunks);
        // Run by run, then the median: each pair shares its minute of the machine.
        ctx.Results.Set($"{kind}.burndown_outputs.ratio_to_noop", Median(output.Zip(noop, (a, b) => a / b)), "one-output chunks / no-op chunks, same workers, taken in turns");
        ctx.Results.Set($"{kind}.burndown_emitted.ratio_to_noop", Median(emit.Zip(noop, (a, b) => a / b)), "one output and one emitted chunk each / no-op chunks, same workers, taken in turns");
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
