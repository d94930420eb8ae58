using System.Globalization;
using HeavyJobs.Core.Handlers;
using HeavyJobs.Core.Model;

namespace HeavyJobs.Runtime.Tests.Worker;

/// <summary>Items start..end-1 of its input, one output each, a checkpoint every <c>every</c> items.</summary>
internal sealed class CountingHandler : IChunkHandler
{
    public async ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken)
    {
        var end = context.Input.GetProperty("end").GetInt64();
        var every = context.Parameters.TryGetProperty("every", out var e) ? e.GetInt64() : 3;
        var next = context.Cursor is { } c ? long.Parse(c, CultureInfo.InvariantCulture) : context.Input.GetProperty("start").GetInt64();
        while (next < end)
        {
            cancellationToken.ThrowIfCancellationRequested();
            context.Output($"item-{next}", "1");
            context.Add(1, good: 1);
            next++;
            if (next % every == 0 || next == end)
            {
                await context.CheckpointAsync(next.ToString(CultureInfo.InvariantCulture), cancellationToken);
            }
        }
    }
}

/// <summary>Like <see cref="CountingHandler"/>, but the first run stops after item 5 until the test opens the gate.</summary>
internal sealed class GateHandler(GateHandler.Gate gate) : IChunkHandler
{
    public async ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken)
    {
        var next = context.Cursor is { } c ? long.Parse(c, CultureInfo.InvariantCulture) : 0;
        while (next < 10)
        {
            context.Output($"item-{next}", "1");
            context.Add(1, good: 1);
            next++;
            await context.CheckpointAsync(next.ToString(CultureInfo.InvariantCulture), cancellationToken);
            if (next == 5 && Interlocked.Exchange(ref gate.FirstRun, 0) == 1)
            {
                gate.AtFive.TrySetResult();
                await gate.Open.Task.WaitAsync(cancellationToken);
            }
        }
    }

    internal sealed class Gate
    {
        public int FirstRun = 1;

        public TaskCompletionSource AtFive { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Open { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

internal sealed class FailingHandler : IChunkHandler
{
    public ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken) =>
        throw new InvalidOperationException($"boom on attempt {context.Attempts + 1}");
}

/// <summary>A chunk of one item and one output, done at once: the shape of work that batching is for.</summary>
internal sealed class QuickHandler : IChunkHandler
{
    public ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken)
    {
        context.Output($"chunk-{context.ChunkId}", "1");
        context.Add(1, good: 1);
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// Writes three outputs, checkpoints, then reads its own outputs back by key: once naming one of them, once
/// naming it among more keys than one store read may name (<see cref="Reads"/> keeps what each read gave).
/// </summary>
internal sealed class KeyedReadHandler(KeyedReadHandler.Reads reads) : IChunkHandler
{
    public async ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken)
    {
        foreach (var key in new[] { "a", "b", "c" })
            context.Output(key, key);
        await context.CheckpointAsync("written", cancellationToken);
        var few = await context.ReadOutputsAsync(new OutputQuery(ChunkId: context.ChunkId, Keys: ["b"]), 0, 100, cancellationToken);
        var many = await context.ReadOutputsAsync(new OutputQuery(ChunkId: context.ChunkId, Keys: [.. Enumerable.Range(0, Storage.Chunks.OutputListParams.MaxKeys).Select(i => $"k{i}"), "c"]), 0, 100, cancellationToken);
        reads.Few.TrySetResult([.. few.Select(o => o.Key)]);
        reads.Many.TrySetResult([.. many.Select(o => o.Key)]);
        context.Add(1, good: 1);
    }

    internal sealed class Reads
    {
        public TaskCompletionSource<string[]> Few { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<string[]> Many { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>A quick chunk that also emits one next-stage chunk, as a pipeline's fetch stage does.</summary>
internal sealed class QuickEmitHandler : IChunkHandler
{
    public ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken)
    {
        context.Output($"chunk-{context.ChunkId}", "1");
        context.Emit(new EmittedChunk(1, "next", "{}", $"next-{context.ChunkId}"));
        context.Add(1, good: 1);
        return ValueTask.CompletedTask;
    }
}

/// <summary>Quick for its first <see cref="Hold.QuickRuns"/> runs in this process; every later run waits for the gate.</summary>
internal sealed class HoldAfterHandler(HoldAfterHandler.Hold hold) : IChunkHandler
{
    public async ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken)
    {
        context.Add(1, good: 1);
        if (Interlocked.Increment(ref hold.Runs) > hold.QuickRuns)
        {
            hold.Held.TrySetResult();
            await hold.Open.Task.WaitAsync(cancellationToken);
        }
    }

    internal sealed class Hold(int quickRuns)
    {
        public int Runs;

        public int QuickRuns { get; } = quickRuns;

        public TaskCompletionSource Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Open { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>A quick chunk that notes, as it starts, which chunks its worker had last said it runs.</summary>
internal sealed class RunningProbeHandler(RunningProbeHandler.Probe probe) : IChunkHandler
{
    public ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken)
    {
        probe.Seen.Enqueue((context.ChunkId, [.. probe.Host!.LastRunning]));
        context.Output($"chunk-{context.ChunkId}", "1");
        context.Add(1, good: 1);
        return ValueTask.CompletedTask;
    }

    internal sealed class Probe
    {
        public TestWorkerHost? Host { get; set; }

        public System.Collections.Concurrent.ConcurrentQueue<(long ChunkId, long[] Running)> Seen { get; } = new();
    }
}

/// <summary>Two checkpoints, each announced once the handler has gone past it.</summary>
internal sealed class TwoStepHandler(TwoStepHandler.Steps steps) : IChunkHandler
{
    public async ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken)
    {
        steps.Work?.Invoke();
        context.Add(1, good: 1);
        await context.CheckpointAsync("1", cancellationToken);
        steps.PastFirst.TrySetResult();
        steps.Work?.Invoke();
        context.Add(1, good: 1);
        await context.CheckpointAsync("2", cancellationToken);
        steps.PastSecond.TrySetResult();
    }

    internal sealed class Steps
    {
        public TaskCompletionSource PastFirst { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource PastSecond { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>What each step's item does before its checkpoint (a test advances its fake clock here).</summary>
        public Action? Work { get; set; }
    }
}
