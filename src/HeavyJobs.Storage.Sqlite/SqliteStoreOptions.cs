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

    /// <summary>How often the change watcher reads the file's change counter (no disk I/O). The default value is 20 ms.</summary>
    public TimeSpan ChangePollInterval { get; init; } = TimeSpan.FromMilliseconds(20);
}
