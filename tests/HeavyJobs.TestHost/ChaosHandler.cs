using System.Globalization;
using HeavyJobs.Core.Handlers;

namespace HeavyJobs.TestHost;

/// <summary>
/// The chaos runner's work: items start..end-1, one output each keyed "item-n" whose data is the id of the worker
/// that wrote it (so a copy can be traced to the holder that made it), good for even items and bad for odd ones
/// (so the counters have a closed form too), a checkpoint every "every" items, "sleepMs" per item.
/// </summary>
public sealed class ChaosHandler : IChunkHandler
{
    // Set by the monitor that started this worker; a standalone worker has none and writes 0.
    private static readonly string Writer = Environment.GetEnvironmentVariable("HEAVYJOBS_WORKER_ID") ?? "0";

    public async ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken)
    {
        var end = context.Input.GetProperty("end").GetInt64();
        var every = context.Parameters.TryGetProperty("every", out var e) ? e.GetInt64() : 10;
        var sleep = context.Parameters.TryGetProperty("sleepMs", out var s) ? s.GetInt32() : 0;
        var next = context.Cursor is { } c ? long.Parse(c, CultureInfo.InvariantCulture) : context.Input.GetProperty("start").GetInt64();
        while (next < end)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (sleep > 0)
            {
                await Task.Delay(sleep, cancellationToken);
            }

            context.Output($"item-{next}", Writer);
            var even = next % 2 == 0;
            context.Add(1, good: even ? 1 : 0, bad: even ? 0 : 1);
            next++;
            if (next % every == 0 || next == end)
            {
                await context.CheckpointAsync(next.ToString(CultureInfo.InvariantCulture), cancellationToken);
            }
        }
    }
}
