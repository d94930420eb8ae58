using HeavyJobs.Storage.Fleet;

namespace HeavyJobs.Storage.Sqlite;

/// <summary>
/// An exclusive lock on a file beside the database (<c>store.db.lock-NAME</c>): .NET takes it with flock, which
/// the kernel drops when the process dies. One machine shares a SQLite file, so a file lock is as wide as the
/// fleet. A frozen holder keeps it; the leadership epoch in the database still fences what it writes.
/// </summary>
internal sealed class SqliteLock(string name, FileStream file) : IStoreLock
{
    public string Name { get; } = name;

    public static IStoreLock? TryTake(string databasePath, string name)
    {
        var safe = string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
        var path = $"{databasePath}.lock-{safe}";
        try
        {
            return new SqliteLock(name, new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None));
        }
        catch (IOException)
        {
            // Another process holds it.
            return null;
        }
    }

    public Task<bool> RenewAsync(CancellationToken cancellationToken) => Task.FromResult(file.SafeFileHandle is { IsClosed: false });

    public ValueTask DisposeAsync() => file.DisposeAsync();
}
