using System.Runtime.InteropServices;

namespace HeavyJobs.Storage.Sqlite;

/// <summary>
/// Tells from the kernel's file events (inotify) when a HeavyJobs writer has committed, so that an idle change
/// watcher sleeps instead of reading the change counter fifty times a second. Each writer writes the <c>-turn</c>
/// file beside the database as it gives up its turn, after its commit was published (<see cref="WriteTurns"/>),
/// so the change is there to read when the event comes. A lost event (the kernel's queue overflowed) counts as a
/// commit: waking for nothing is allowed.
/// </summary>
/// <remarks>
/// The file itself is watched, not its folder (which is all <see cref="FileSystemWatcher"/> can watch): SQLite
/// writes the log in the same folder page by page, thousands of times a second in a busy store, and a folder's
/// watcher is handed every one of those events to filter out (measured: 4 µs of CPU each). One inotify instance
/// and one reading thread serve the whole process, as the kernel allows a user only 128 instances.
/// </remarks>
internal sealed partial class CommitEvents : IDisposable
{
    private readonly int _watch;
    private TaskCompletionSource _next = NewSource();
    private volatile bool _lost;
    private int _disposed;

    private CommitEvents(int watch) => _watch = watch;

    /// <summary>Completes at the next commit after it was read: read it before looking at the database.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    /// <summary>True once the file went away (deleted or moved): no event will come, the watcher must poll.</summary>
    public bool Lost => _lost;

    /// <summary>Watches the turns of <paramref name="databasePath"/>; null where the system gives no file events.</summary>
    public static CommitEvents? TryStart(string databasePath) =>
        OperatingSystem.IsLinux() ? Inotify.Shared?.Subscribe(databasePath + WriteTurns.Suffix) : null;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Inotify.Shared?.Unsubscribe(this);
        }

        // Nobody waits on a disposed watcher for ever.
        Volatile.Read(ref _next).TrySetResult();
    }

    private void Raise(bool lost)
    {
        if (lost)
        {
            _lost = true;
        }

        Interlocked.Exchange(ref _next, NewSource()).TrySetResult();
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The process's one inotify instance: watches by descriptor, and a thread that reads their events.</summary>
    private sealed partial class Inotify
    {
        private const int CloseOnExec = 0x80000;
        private const int ReadWriteForAll = 0x1B6; // 0666, less the umask, as .NET makes files
        private const int NoSuchFile = 2;
        private const int Interrupted = 4;
        private const uint Modify = 0x2;
        private const uint DeleteSelf = 0x400;
        private const uint MoveSelf = 0x800;
        private const uint Overflow = 0x4000;
        private const uint Ignored = 0x8000;
        private const int HeaderSize = 16;

        private static readonly Lazy<Inotify?> Instance = new(Start);

        private readonly int _fd;
        private readonly Lock _lock = new();
        private readonly Dictionary<int, List<CommitEvents>> _watches = [];

        private Inotify(int fd) => _fd = fd;

        public static Inotify? Shared => Instance.Value;

        public CommitEvents? Subscribe(string path)
        {
            lock (_lock)
            {
                // The same file watched twice gets the same descriptor: its subscribers share it.
                var watch = AddWatch(_fd, path, Modify | DeleteSelf | MoveSelf);
                if (watch < 0 && Marshal.GetLastPInvokeError() == NoSuchFile && Create(path))
                {
                    watch = AddWatch(_fd, path, Modify | DeleteSelf | MoveSelf);
                }

                if (watch < 0)
                {
                    // Out of watches, or a folder this process may not use: the watcher polls instead.
                    return null;
                }

                var events = new CommitEvents(watch);
                if (!_watches.TryGetValue(watch, out var subscribers))
                {
                    _watches[watch] = subscribers = [];
                }

                subscribers.Add(events);
                return events;
            }
        }

        public void Unsubscribe(CommitEvents events)
        {
            lock (_lock)
            {
                if (_watches.TryGetValue(events._watch, out var subscribers) && subscribers.Remove(events) && subscribers.Count == 0)
                {
                    _watches.Remove(events._watch);
                    RemoveWatch(_fd, events._watch);
                }
            }
        }

        private static Inotify? Start()
        {
            var fd = Init(CloseOnExec);
            if (fd < 0)
            {
                // Out of inotify instances: every watcher of this process polls.
                return null;
            }

            var inotify = new Inotify(fd);
            new Thread(inotify.ReadLoop) { IsBackground = true, Name = "HeavyJobs commit events" }.Start();
            return inotify;
        }

        private unsafe void ReadLoop()
        {
            // Pinned for the thread's life: it waits inside read() with the buffer's address.
            var buffer = GC.AllocateUninitializedArray<byte>(4096, pinned: true);
            var address = (byte*)Marshal.UnsafeAddrOfPinnedArrayElement(buffer, 0);
            var raised = new HashSet<int>();
            var lost = new HashSet<int>();
            while (true)
            {
                var length = (int)Read(_fd, address, buffer.Length);
                if (length < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Interrupted)
                    {
                        continue;
                    }

                    // The descriptor failed: wake everyone for good; their watchers poll from now on.
                    RaiseAll(lost: true);
                    return;
                }

                raised.Clear();
                lost.Clear();
                var overflow = false;
                for (var at = 0; at + HeaderSize <= length; at += HeaderSize + (int)BitConverter.ToUInt32(buffer, at + 12))
                {
                    var watch = BitConverter.ToInt32(buffer, at);
                    var mask = BitConverter.ToUInt32(buffer, at + 4);
                    overflow |= (mask & Overflow) != 0;
                    raised.Add(watch);
                    if ((mask & (DeleteSelf | MoveSelf | Ignored)) != 0)
                    {
                        lost.Add(watch);
                    }
                }

                if (overflow)
                {
                    RaiseAll(lost: false);
                    continue;
                }

                RaiseWatches(raised, lost);
            }
        }

        private void RaiseWatches(HashSet<int> raised, HashSet<int> lost)
        {
            lock (_lock)
            {
                foreach (var watch in raised)
                {
                    if (!_watches.TryGetValue(watch, out var subscribers))
                    {
                        // Removed by its last subscriber (the kernel then says so with an "ignored" event).
                        continue;
                    }

                    var gone = lost.Contains(watch);
                    foreach (var events in subscribers)
                    {
                        events.Raise(gone);
                    }

                    if (gone)
                    {
                        _watches.Remove(watch);
                    }
                }
            }
        }

        private void RaiseAll(bool lost)
        {
            lock (_lock)
            {
                foreach (var subscribers in _watches.Values)
                {
                    foreach (var events in subscribers)
                    {
                        events.Raise(lost);
                    }
                }
            }
        }

        // Made without .NET's own file lock, which would meet a writer's exclusive one on the same file. Its
        // content means nothing, so creat's truncation of a file another process made meanwhile does no harm.
        private static bool Create(string path)
        {
            var fd = CreateFile(path, ReadWriteForAll);
            return fd >= 0 && Close(fd) == 0;
        }

        [LibraryImport("libc", EntryPoint = "inotify_init1", SetLastError = true)]
        private static partial int Init(int flags);

        [LibraryImport("libc", EntryPoint = "inotify_add_watch", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        private static partial int AddWatch(int fd, string path, uint mask);

        [LibraryImport("libc", EntryPoint = "inotify_rm_watch", SetLastError = true)]
        private static partial int RemoveWatch(int fd, int watch);

        [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
        private static unsafe partial nint Read(int fd, byte* buffer, nint count);

        [LibraryImport("libc", EntryPoint = "creat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        private static partial int CreateFile(string path, int mode);

        [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
        private static partial int Close(int fd);
    }
}
