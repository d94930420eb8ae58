using System.Runtime.InteropServices;

namespace HeavyJobs.Cli;

/// <summary>
/// The C library's heap in a heavyjobs process, which lives for days. glibc gives each thread that allocates an
/// arena of its own and hands a freed block's pages back only from the top of an arena. A fetch worker
/// compresses every answer through a deflate state of about 340 KiB that the compression library allocates
/// natively, on whichever pool thread runs it; freed, those states leave free pages between live blocks that
/// stay resident, and a fetch worker's arenas grew to 46 MB over 200,000 domains (2 MB in a parse worker;
/// docs/performance.md). <c>malloc_trim</c> gives every free page of every arena back; run every few seconds, it
/// keeps the heap at what is live, for a walk of the free lists. Tried and not kept: a fixed mmap threshold, which
/// maps each such block on its own (as flat, but a map, an unmap and the page faults cost 130 µs of system time per
/// answer, and the refresh took 11 % longer), and two arenas in all (<c>MALLOC_ARENA_MAX=2</c>: they still grew).
/// </summary>
internal static partial class NativeHeap
{
    /// <summary>How often the free pages go back.</summary>
    public static readonly TimeSpan TrimEvery = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gives the free pages of the C library's heap back now and then every <paramref name="period"/>; null (and
    /// nothing done) where the C library is not glibc. Dispose the timer to stop.
    /// </summary>
    public static ITimer? StartTrimming(TimeProvider time, TimeSpan period) =>
        Trim() is null ? null : time.CreateTimer(_ => Trim(), null, period, period);

    /// <summary>Gives the free pages back: whether any were, or null where there is no glibc to ask.</summary>
    public static bool? Trim()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            return MallocTrim(0) == 1;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (musl has no malloc_trim, and gives memory back by itself).
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
