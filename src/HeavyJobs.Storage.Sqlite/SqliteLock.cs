using System.Globalization;
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
        var path = FilePath(databasePath, name);
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

    /// <summary>
    /// Whether a live process holds the lock, asked without taking it (a lock taken only to look would turn away
    /// a monitor starting at that moment): the kernel's table of locks (<c>/proc/locks</c>) names the process of
    /// each flock, and that process's open files say whether one of them is this lock's file. Null where there is
    /// no such table (not Linux); false if a holder's files cannot be read (another user's process).
    /// </summary>
    public static bool? Held(string databasePath, string name)
    {
        var path = FilePath(databasePath, name);
        if (!File.Exists(path))
        {
            return false;
        }

        string[] locks;
        try
        {
            locks = File.ReadAllLines("/proc/locks");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // "1: FLOCK  ADVISORY  WRITE 4242 fd:01:1234 0 EOF"; a waiter's line has "->" after the number.
        foreach (var line in locks)
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 5 && fields[1] == "FLOCK" && int.TryParse(fields[4], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Opens(pid, path))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Opens(int pid, string path)
    {
        try
        {
            return Directory.EnumerateFiles($"/proc/{pid}/fd").Any(fd => new FileInfo(fd).LinkTarget == path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone since, or another user's.
            return false;
        }
    }

    private static string FilePath(string databasePath, string name) =>
        $"{databasePath}.lock-{string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'))}";

    public Task<bool> RenewAsync(CancellationToken cancellationToken) => Task.FromResult(file.SafeFileHandle is { IsClosed: false });

    public ValueTask DisposeAsync() => file.DisposeAsync();
}
