namespace HeavyJobs.Storage.Fleet;

/// <summary>
/// A named lock held for as long as a process lives: a PostgreSQL session advisory lock (on a session of its
/// own), or on SQLite an exclusive lock on a file beside the database. The process that dies, or whose session
/// the database ends, loses it at once.
/// </summary>
public interface IStoreLock : IAsyncDisposable
{
    string Name { get; }

    /// <summary>
    /// Proves the lock is still held (on PostgreSQL, a statement on its session; a session the database ended,
    /// for example after it sat idle past <see cref="LockOptions.IdleLimit"/>, fails). False: the lock is lost.
    /// </summary>
    Task<bool> RenewAsync(CancellationToken cancellationToken);
}

/// <param name="IdleLimit">
/// End the lock's session if it stays idle (not renewed) this long: a process frozen past it loses the lock.
/// Null: the lock lives as long as the session (a frozen process keeps it).
/// </param>
public sealed record LockOptions(TimeSpan? IdleLimit = null);

/// <summary>Named locks of the store: the leader's, and one per machine name.</summary>
public interface IStoreLocks
{
    /// <summary>Takes the lock if free; null if another process holds it.</summary>
    Task<IStoreLock?> TryLockAsync(string name, LockOptions options, CancellationToken cancellationToken);

    /// <summary>Waits until the lock is free and takes it.</summary>
    Task<IStoreLock> LockAsync(string name, LockOptions options, CancellationToken cancellationToken);

    /// <summary>
    /// Whether some live session holds the lock, without taking it: on PostgreSQL the lock lives as long as its
    /// holder's session (the process, and its machine's network), on SQLite as long as its holder's process; null
    /// where the store cannot tell without taking the lock (a lock file off Linux, which has no table of locks).
    /// </summary>
    Task<bool?> LockHeldAsync(string name, CancellationToken cancellationToken);
}
