using HeavyJobs.Storage.Changes;

namespace HeavyJobs.Storage;

/// <summary>Wake-ups when the store may have changed: what lets workers, monitors and the manager sleep instead of polling.</summary>
public interface IChangeSource
{
    /// <summary>A watcher that wakes when the store may have new work (NOTIFY on PostgreSQL, the file's change counter on SQLite).</summary>
    IChangeWatcher CreateChangeWatcher();

    /// <summary>
    /// A watcher whose session also holds the named lock (see <see cref="Fleet.IStoreLocks"/>), taken now; null if
    /// another process holds it. After the session drops, the watcher takes the lock again when it reconnects.
    /// </summary>
    Task<ILockingChangeWatcher?> TryLockWatchingAsync(string lockName, CancellationToken cancellationToken);
}
