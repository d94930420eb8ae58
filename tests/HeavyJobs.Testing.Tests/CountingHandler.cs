using System.Globalization;
using HeavyJobs.Core.Handlers;

namespace HeavyJobs.Testing.Tests;

/// <summary>
/// A well-behaved handler for the harness's own tests: outputs items 0..count-1 from its cursor, checkpointing
/// after every <c>every</c> items; the last few are committed by the completion.
/// </summary>
internal sealed class CountingHandler(bool returnOnStop = false, Func<IChunkContext, int, bool>? failAt = null) : IChunkHandler
{
    public async ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken)
    {
        var count = context.Input.GetProperty("count").GetInt32();
        var every = context.Input.GetProperty("every").GetInt32();
        var next = context.Cursor is { } cursor ? int.Parse(cursor, CultureInfo.InvariantCulture) : 0;
        while (next < count)
        {
            if (returnOnStop && cancellationToken.IsCancellationRequested)
            {
                context.Output("stopped", next.ToString(CultureInfo.InvariantCulture));
                return;
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (failAt?.Invoke(context, next) == true)
            {
                throw new InvalidOperationException($"item {next} failed");
            }

            context.Output(next.ToString(CultureInfo.InvariantCulture), "x");
            context.Add(1, good: 1);
            next++;
            if (next % every == 0)
            {
                await context.CheckpointAsync(next.ToString(CultureInfo.InvariantCulture), cancellationToken);
            }
        }
    }
}
