namespace HeavyJobs.Storage.Sqlite;

public sealed record SqliteStoreOptions
{
    /// <summary>How long a writer waits for the file's write lock. The default value is 30 seconds.</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// SQLite's synchronous setting. The default value is FULL: a commit survives a power loss, not only a
    /// killed process. NORMAL is faster and still never loses a commit to a process crash.
    /// </summary>
    public string Synchronous { get; init; } = "FULL";

    /// <summary>
    /// How often the change watcher reads the file's change counter (no disk I/O) where the file system gives no
    /// events, or <see cref="UseFileEvents"/> is off. The default value is 20 ms.
    /// </summary>
    public TimeSpan ChangePollInterval { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Whether the change watcher sleeps on the kernel's file events (inotify) for HeavyJobs writers' commits
    /// instead of reading the change counter every <see cref="ChangePollInterval"/>. The default value is true;
    /// turn it off where file events are not delivered.
    /// </summary>
    public bool UseFileEvents { get; init; } = true;

    /// <summary>
    /// How often a change watcher sleeping on file events reads the counter anyway, for commits no event announces
    /// (other programs, a machine's heartbeat, writers of an older version). The default value is 1 second.
    /// </summary>
    public TimeSpan IdleCheckInterval { get; init; } = TimeSpan.FromSeconds(1);
}
