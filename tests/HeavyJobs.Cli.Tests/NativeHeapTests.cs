using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace HeavyJobs.Cli.Tests;

/// <summary>
/// Reads the process's own heap: run alone, as another test allocating meanwhile (the assembly's tests run side by
/// side) takes the freed blocks' space from the same arena and keeps its pages resident (the trim freed 2.9 of 6.8 MB
/// once so, in a full run).
/// </summary>
[Collection(nameof(NativeHeapTests))]
public sealed partial class NativeHeapTests
{
    private const int Blocks = 40;
    private const int BlockBytes = 340 * 1024; // a deflate state's size

    [Fact]
    public void DeflateSizedBlocksFreedBetweenLiveOnes_StayResident_UntilTheTrimmingTimerGivesTheirPagesBack()
    {
        Assert.True(OperatingSystem.IsLinux(), "this machine runs glibc: the test must not pass by skipping");

        // On a thread of its own, as a fetch worker's pool thread: glibc gives it an arena that the tests running
        // beside this one do not allocate from.
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                FreeEveryOtherBlockThenTrim();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }

    private static unsafe void FreeEveryOtherBlockThenTrim()
    {
        var time = new FakeTimeProvider();
        using var trimming = NativeHeap.StartTrimming(time, NativeHeap.TrimEvery);
        Assert.NotNull(trimming);

        // glibc maps a block this large on its own until a freed mapping has moved its threshold past it; in a
        // fetch worker that happens at once, and the deflate states come from the threads' arenas. Here the
        // threshold is set so, rather than left to whatever this test process freed before.
        Assert.Equal(1, Mallopt(MmapThreshold, 1024 * 1024));
        var blocks = new nint[Blocks];
        for (var i = 0; i < Blocks; i++)
        {
            blocks[i] = (nint)NativeMemory.Alloc(BlockBytes);
            NativeMemory.Fill((void*)blocks[i], BlockBytes, 0x5a);
        }

        // Every other block freed: each lies between two live ones, so none can merge into the arena's top.
        var freed = blocks.Where((_, i) => i % 2 == 0).ToList();
        var live = blocks.Where((_, i) => i % 2 == 1).ToList();
        const long FreedKb = Blocks / 2 * BlockBytes / 1024;
        try
        {
            foreach (var block in freed)
            {
                NativeMemory.Free((void*)block);
            }

            var before = ResidentKb(freed);
            Assert.True(before >= FreedKb, $"the freed blocks' pages should still be resident ({before} kB in their mappings)");
            time.Advance(NativeHeap.TrimEvery - TimeSpan.FromMilliseconds(1));
            Assert.True(ResidentKb(freed) > before - (FreedKb / 10), "nothing is trimmed before the timer's turn");
            time.Advance(TimeSpan.FromMilliseconds(1));

            var after = ResidentKb(freed);
            // Half at least: a thread of the runner's own may have taken some of the freed space meanwhile.
            Assert.True(before - after >= FreedKb / 2, $"resident in the freed blocks' mappings: {before} kB before the trim, {after} kB after ({FreedKb} kB freed)");
        }
        finally
        {
            foreach (var block in live)
            {
                NativeMemory.Free((void*)block);
            }
        }
    }

    // glibc's malloc.h: M_MMAP_THRESHOLD.
    private const int MmapThreshold = -3;

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int Mallopt(int parameter, int value);

    /// <summary>The resident kilobytes of the mappings that hold any of these addresses (from /proc/self/smaps).</summary>
    private static long ResidentKb(IReadOnlyCollection<nint> addresses)
    {
        long total = 0;
        var counting = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            var dash = line.IndexOf('-', StringComparison.Ordinal);
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (dash > 0 && space > dash && ulong.TryParse(line.AsSpan(0, dash), NumberStyles.HexNumber, null, out var start) &&
                ulong.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, null, out var end))
            {
                counting = addresses.Any(a => (ulong)a >= start && (ulong)a < end);
            }
            else if (counting && line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                total += long.Parse(line.AsSpan(4).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
            }
        }

        return total;
    }
}

/// <summary>Runs <see cref="NativeHeapTests"/> with no other test of the assembly beside it.</summary>
[CollectionDefinition(nameof(NativeHeapTests), DisableParallelization = true)]
public sealed class NativeHeapTestsAlone;
