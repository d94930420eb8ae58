using HeavyJobs.Storage.Actions;

namespace HeavyJobs.Storage;

/// <summary>The action log: every process writes what it did, and why.</summary>
public interface IActionLog
{
    Task ActionInsertAsync(ActionInsertParams p, CancellationToken cancellationToken);
}
