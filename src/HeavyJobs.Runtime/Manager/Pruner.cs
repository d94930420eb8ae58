using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Retention;

namespace HeavyJobs.Runtime.Manager;

/// <summary>Batches of a prune with a pause between them, and the one action that says what a whole prune removed.</summary>
public static class Pruner
{
    /// <summary>A whole prune: batches until nothing is left, then the action.</summary>
    public static async Task<PruneCounts> RunAsync(IMaintenanceStore store, RetentionOptions options, string actor, TimeProvider time, CancellationToken cancellationToken)
    {
        var p = options.At(time.GetUtcNow());
        var (total, _) = await BatchesAsync(store, p, options, time, budget: null, cancellationToken);
        await LogAsync(store, actor, total, time, cancellationToken);
        return total;
    }

    /// <summary>Batches until nothing is left or <paramref name="budget"/> has passed; Finished says which.</summary>
    public static async Task<(PruneCounts Removed, bool Finished)> BatchesAsync(
        IPruneStore store, PruneParams p, RetentionOptions options, TimeProvider time, TimeSpan? budget, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var total = PruneCounts.Zero;
        while (true)
        {
            var batch = await store.PruneBatchAsync(p, cancellationToken);
            if (batch == PruneCounts.Zero)
            {
                return (total, true);
            }

            total += batch;
            if (budget is { } b && time.GetElapsedTime(started) >= b)
            {
                return (total, false);
            }

            if (options.BatchPause > TimeSpan.Zero)
            {
                await Task.Delay(options.BatchPause, time, cancellationToken);
            }
        }
    }

    public static Task LogAsync(IActionLog store, string actor, PruneCounts total, TimeProvider time, CancellationToken cancellationToken) =>
        store.ActionInsertAsync(new ActionInsertParams(actor, ActionKinds.Prune, $"pruned {total}", time.GetUtcNow()), cancellationToken);
}
