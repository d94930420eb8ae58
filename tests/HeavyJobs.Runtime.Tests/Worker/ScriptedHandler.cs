using System.Globalization;
using System.Threading.Channels;
using HeavyJobs.Core.Handlers;
using HeavyJobs.Runtime.Worker;
using Microsoft.Extensions.Time.Testing;

namespace HeavyJobs.Runtime.Tests.Worker;

/// <summary>What a scripted handler does next, across every run of its chunk.</summary>
public enum Step
{
    /// <summary>Outputs the next item and counts it (nothing once every item is done).</summary>
    Process,

    /// <summary>Checkpoints at the next item.</summary>
    Checkpoint,

    /// <summary>Lets the write-behind window pass: a held checkpoint is written, and the next one waits for its commit.</summary>
    Pause,

    /// <summary>Asks the test to stop the worker, and returns once its token fires.</summary>
    StopThenReturn,

    /// <summary>Asks the test to stop the worker, and throws <see cref="OperationCanceledException"/> once its token fires.</summary>
    StopThenThrow,

    /// <summary>Fails the attempt with an exception of its own.</summary>
    Throw,

    /// <summary>Freezes, as a killed process would: it writes nothing more, and the test reclaims its chunk.</summary>
    Kill,
}

/// <summary>How a run of the scripted handler ended, as the test must hear it.</summary>
public enum RunEnd
{
    Finished,
    StopAsked,
    Threw,
    Killed,
}

/// <summary>A chunk of <see cref="Items"/> items, and the steps its handler takes through them over all its runs.</summary>
public sealed record Plan(int Items, bool WriteBehind, IReadOnlyList<Step> Steps)
{
    public override string ToString() => $"{Items} items, write-behind {(WriteBehind ? "on" : "off")}: [{string.Join(", ", Steps)}]";
}

/// <summary>The plan of the case being run, where its handler is in it, and how each run ended.</summary>
internal sealed class Script(FakeTimeProvider time)
{
    private readonly Channel<RunEnd> _ends = Channel.CreateUnbounded<RunEnd>();
    private int _position;

    public FakeTimeProvider Time { get; } = time;

    public Plan Plan { get; private set; } = new(0, false, []);

    public static string Key(long item) => $"item-{item:D3}";

    public void Begin(Plan plan)
    {
        Plan = plan;
        _position = 0;
        while (_ends.Reader.TryRead(out _))
        {
        }
    }

    public bool TryTake(out Step step)
    {
        var at = Interlocked.Increment(ref _position) - 1;
        step = at < Plan.Steps.Count ? Plan.Steps[at] : default;
        return at < Plan.Steps.Count;
    }

    public void Tell(RunEnd end) => _ends.Writer.TryWrite(end);

    public ValueTask<RunEnd> NextEndAsync(CancellationToken cancellationToken) => _ends.Reader.ReadAsync(cancellationToken);
}

/// <summary>Works through items 0..n-1 of its chunk as its script says; after the script, it finishes the items and returns.</summary>
internal sealed class ScriptedHandler(Script script) : IChunkHandler
{
    public async ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken)
    {
        var next = context.Cursor is { } c ? long.Parse(c, CultureInfo.InvariantCulture) : 0;
        while (script.TryTake(out var step))
        {
            switch (step)
            {
                case Step.Process:
                    next = Process(context, next);
                    break;
                case Step.Checkpoint:
                    await context.CheckpointAsync(next.ToString(CultureInfo.InvariantCulture), cancellationToken);
                    break;
                case Step.Pause:
                    script.Time.Advance(WorkerDefaults.WriteBehindUnder);
                    break;
                case Step.StopThenReturn or Step.StopThenThrow:
                    script.Tell(RunEnd.StopAsked);
                    try
                    {
                        await Task.Delay(Timeout.Infinite, cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                    }

                    if (step == Step.StopThenThrow)
                    {
                        throw new OperationCanceledException(cancellationToken);
                    }

                    return;
                case Step.Throw:
                    script.Tell(RunEnd.Threw);
                    throw new InvalidOperationException("a planned failure");
                case Step.Kill:
                    script.Tell(RunEnd.Killed);
                    // Frozen until the test shuts its worker down, long after the chunk was reclaimed.
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                    return;
            }
        }

        while (next < script.Plan.Items)
        {
            next = Process(context, next);
        }

        script.Tell(RunEnd.Finished);
    }

    private long Process(IChunkContext context, long next)
    {
        if (next >= script.Plan.Items)
        {
            return next;
        }

        context.Output(Script.Key(next), "1");
        context.Add(1, good: 1);
        return next + 1;
    }
}
