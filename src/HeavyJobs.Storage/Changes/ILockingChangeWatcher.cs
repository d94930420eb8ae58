namespace HeavyJobs.Storage.Changes;

/// <summary>
/// A change watcher that also holds a named lock, on one session: a machine's name and its wake-ups cost the
/// database one connection instead of two.
/// </summary>
public interface ILockingChangeWatcher : IChangeWatcher
{
    string LockName { get; }

    /// <summary>
    /// False once the lock was lost and could not be taken back: the session dropped (the database restarted,
    /// the backend was ended) and another process took the name before this one reconnected.
    /// </summary>
    bool Held { get; }
}
