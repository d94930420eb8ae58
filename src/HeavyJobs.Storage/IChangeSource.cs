using HeavyJobs.Storage.Changes;

namespace HeavyJobs.Storage;

/// <summary>Wake-ups when the store may have changed: what lets workers, monitors and the manager sleep instead of polling.</summary>
public interface IChangeSource
{
    /// <summary>A watcher that wakes when the store may have new work (NOTIFY on PostgreSQL, the file's change counter on SQLite).</summary>
    IChangeWatcher CreateChangeWatcher();
}
