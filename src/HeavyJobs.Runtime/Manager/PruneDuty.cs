using HeavyJobs.Storage;
using HeavyJobs.Storage.Pipelines;
using HeavyJobs.Storage.Retention;

namespace HeavyJobs.Runtime.Manager;

/// <summary>
/// Keeps the tables bounded: every <see cref="RetentionOptions.Interval"/>, removes what is older than its retention
/// in small batches so the workers never wait on it for long, and logs one <c>prune</c> action per whole prune.
/// A long prune (the first over a long history) is spread over passes, so the other duties keep their cadence.
/// </summary>
public sealed class PruneDuty(IMaintenanceStore store, ManagerOptions options, TimeProvider time) : IManagerDuty
{
    /// <summary>How long one pass of the manager prunes before it lets the other duties run.</summary>
    public static readonly TimeSpan PassBudget = TimeSpan.FromSeconds(2);

    private DateTimeOffset? _next;
    private PruneParams? _running;
    private PruneCounts _removed = PruneCounts.Zero;

    public async Task<DateTimeOffset?> RunAsync(ManagerAgenda agenda, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var retention = options.Retention;
        if (!retention.Enabled)
        {
            return null;
        }

        // The first prune waits an interval too: a manager that restarts often must not prune on every start.
        _next ??= now + retention.Interval;
        if (_running is null && now < _next)
        {
            return _next;
        }

        _running ??= retention.At(now);
        var (removed, finished) = await Pruner.BatchesAsync(store, _running, retention, time, PassBudget, cancellationToken);
        _removed += removed;
        if (!finished)
        {
            return now;
        }

        await Pruner.LogAsync(store, HeavyManager.Actor, _removed, time, cancellationToken);
        (_running, _removed) = (null, PruneCounts.Zero);
        _next = time.GetUtcNow() + retention.Interval;
        return _next;
    }
}
