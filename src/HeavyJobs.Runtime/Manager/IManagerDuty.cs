using HeavyJobs.Storage.Pipelines;

namespace HeavyJobs.Runtime.Manager;

/// <summary>
/// One of the fleet manager's duties. The manager reads its agenda once per pass (whether jobs are active, when
/// the next schedule and lease fall due) and hands it to every duty; a duty does what is due and says when it
/// next wants to run.
/// </summary>
public interface IManagerDuty
{
    /// <summary>Does what is due at <paramref name="now"/>; returns when this duty next wants a pass (null: only when woken).</summary>
    Task<DateTimeOffset?> RunAsync(ManagerAgenda agenda, DateTimeOffset now, CancellationToken cancellationToken);
}
