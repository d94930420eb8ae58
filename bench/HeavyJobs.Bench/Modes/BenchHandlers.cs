using System.Globalization;
using HeavyJobs.Core.Handlers;
using HeavyJobs.Core.Model;

namespace HeavyJobs.Bench.Modes;

/// <summary>The handler types the bench's workers run.</summary>
internal static class BenchHandlers
{
    public const string NoOp = "bench.noop";
    public const string Stamp = "bench.stamp";
    public const string Work = "bench.work";
    public const string Shaped = "bench.shaped";

    /// <summary>The barrier stage that <see cref="Shaped"/> chunks emit into: it is never released, so its chunks wait.</summary>
    public const string Sink = "bench.sink";

    /// <summary>Rounds of xorshift per item: a few microseconds of CPU, the "small item" of the overhead scenario.</summary>
    public const int RoundsPerItem = 2000;

    public const int CheckpointEvery = 1000;

    public static HandlerRegistry Registry() => HandlerRegistry.CreateBuilder()
        .Add<NoOpHandler>(NoOp)
        .Add<StampHandler>(Stamp)
        .Add<WorkHandler>(Work)
        .Add<ShapedHandler>(Shaped)
        .Build();

    public static ulong Item(ulong x)
    {
        x |= 1;
        for (var i = 0; i < RoundsPerItem; i++)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }

        return x;
    }

    private sealed class NoOpHandler : IChunkHandler
    {
        public ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    /// <summary>
    /// A no-op chunk shaped by its job's parameters: {"outputs": n} writes n outputs, {"emit": true} emits one
    /// next-stage chunk. The same type with {} is the no-op the others are compared with.
    /// </summary>
    private sealed class ShapedHandler : IChunkHandler
    {
        public ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken)
        {
            var parameters = context.Parameters;
            if (parameters.ValueKind == System.Text.Json.JsonValueKind.Object)
            {
                if (parameters.TryGetProperty("outputs", out var outputs))
                {
                    for (var i = outputs.GetInt32(); i > 0; i--)
                    {
                        context.Output("count", "1");
                    }
                }

                if (parameters.TryGetProperty("emit", out var emit) && emit.GetBoolean())
                {
                    var id = context.ChunkId.ToString(CultureInfo.InvariantCulture);
                    context.Emit(new EmittedChunk(1, Sink, "{}", id));
                }
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Writes the wall-clock microsecond at which it started: pickup latency is that minus the enqueue's commit.</summary>
    private sealed class StampHandler : IChunkHandler
    {
        public ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken)
        {
            context.Output("started_us", Clock.NowUs().ToString(CultureInfo.InvariantCulture));
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Items start..end of small CPU work, a checkpoint every 1,000 items.</summary>
    private sealed class WorkHandler : IChunkHandler
    {
        public async ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken)
        {
            var end = context.Input.GetProperty("end").GetInt64();
            var next = context.Cursor is { } c ? long.Parse(c, CultureInfo.InvariantCulture) : context.Input.GetProperty("start").GetInt64();
            ulong sink = 0;
            while (next < end)
            {
                sink ^= Item((ulong)next);
                next++;
                if (next % CheckpointEvery == 0 || next == end)
                {
                    context.Add(next % CheckpointEvery == 0 ? CheckpointEvery : next % CheckpointEvery, good: (long)(sink & 1));
                    await context.CheckpointAsync(next.ToString(CultureInfo.InvariantCulture), cancellationToken);
                }
            }
        }
    }
}
