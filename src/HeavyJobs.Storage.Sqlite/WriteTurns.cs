using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace HeavyJobs.Storage.Sqlite;

/// <summary>
/// Turns at the database file's one write lock, taken on a lock file beside it (<c>flock</c>) before a write
/// transaction begins. SQLite's own busy handler sleeps longer each time it finds the lock taken (up to 100 ms
/// a try), so a writer that commits and soon writes again keeps the lock while another waits asleep: seen
/// as one worker process running alone for a second at a time while the other starved. Here a waiter looks
/// again every millisecond and gets the lock within one of its release. The kernel drops a dead process's
/// turn; where the lock file cannot be used (another system, a missing or read-only folder) writers fall back
/// to SQLite's busy handler alone, which is correct, only less fair. A writer writes one byte to the lock file as
/// it gives up its turn, after its commit: the file event that wakes idle change watchers (<see cref="CommitEvents"/>).
/// </summary>
internal sealed partial class WriteTurns : IDisposable
{
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;
    private const int Unlock = 8;

    /// <summary>The lock file's name is the database's with this after it.</summary>
    public const string Suffix = "-turn";

    private static readonly byte[] Mark = [(byte)'\n'];

    // flock belongs to the open file, which this process's writers share: they take turns here first.
    private readonly SemaphoreSlim _local = new(1, 1);
    private readonly string _path;
    private readonly TimeSpan _timeout;

    // The wait is for another process's real commit, so it runs on real time even where a store's logical
    // time is faked.
    private readonly TimeProvider _time = TimeProvider.System;
    private SafeFileHandle? _file;
    private bool _writable;

    public WriteTurns(string databasePath, TimeSpan timeout)
    {
        _path = databasePath + Suffix;
        _timeout = timeout;
    }

    private enum Attempt
    {
        Locked,
        Busy,
        Unavailable,
    }

    /// <summary>Waits for this process's and then the file's turn; disposing the result gives it up.</summary>
    public async ValueTask<Turn> TakeAsync(CancellationToken cancellationToken)
    {
        if (!await _local.WaitAsync(_timeout, cancellationToken))
        {
            // Past the busy timeout: SQLite's own wait decides, and reports the timeout if it is one.
            return default;
        }

        try
        {
            var started = _time.GetTimestamp();
            Attempt attempt;
            while ((attempt = TryLock()) == Attempt.Busy && _time.GetElapsedTime(started) < _timeout)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(1), _time, cancellationToken);
            }

            return new Turn(this, attempt == Attempt.Locked);
        }
        catch
        {
            _local.Release();
            throw;
        }
    }

    public void Dispose()
    {
        _file?.Dispose();
        _local.Dispose();
    }

    private Attempt TryLock()
    {
        if (_file is null)
        {
            if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
            {
                return Attempt.Unavailable;
            }

            try
            {
                // Opened at the first write: the folder may not exist before the store migrates.
                _file = Open();
            }
            catch (Exception ex) when (ex is DirectoryNotFoundException or UnauthorizedAccessException)
            {
                return Attempt.Unavailable;
            }
            catch (IOException) when (File.Exists(_path))
            {
                // .NET takes a shared flock of its own as it opens a file, and fails while another writer holds
                // the exclusive one: that writer's turn. (Once open, ours is made exclusive and given up whole.)
                return Attempt.Busy;
            }
            catch (IOException)
            {
                return Attempt.Unavailable;
            }
        }

        if (Flock((int)_file.DangerousGetHandle(), LockExclusive | LockNonBlocking) == 0)
        {
            return Attempt.Locked;
        }

        // EWOULDBLOCK on Linux and macOS; anything else means flock is of no use here.
        return Marshal.GetLastPInvokeError() is 11 or 35 ? Attempt.Busy : Attempt.Unavailable;
    }

    private SafeFileHandle Open()
    {
        try
        {
            var file = File.OpenHandle(_path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            _writable = true;
            return file;
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            // Read access is enough for flock, and works where the file is another user's or on a read-only file
            // system; only the commits' announcements are lost (watchers see them at their idle checks). Whatever
            // made the first open fail, the second meets it too if it stays.
            return File.OpenHandle(_path, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
    }

    private void Release(bool locked)
    {
        if (locked)
        {
            if (_writable)
            {
                Announce();
            }

            Flock((int)_file!.DangerousGetHandle(), Unlock);
        }

        _local.Release();
    }

    private void Announce()
    {
        try
        {
            RandomAccess.Write(_file!, Mark, 0);
        }
        catch (IOException)
        {
            // A full disk: watchers see the commit at their next idle check.
        }
    }

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);

    /// <summary>A writer's turn; the default one holds nothing.</summary>
    public readonly struct Turn(WriteTurns? owner, bool locked) : IDisposable
    {
        public void Dispose() => owner?.Release(locked);
    }
}
