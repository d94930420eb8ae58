using System.Diagnostics;
using System.Globalization;

namespace HeavyJobs.Bench.Modes;

/// <summary>The bare limit of the overhead scenario: the same items in a plain loop, no job system.</summary>
internal static class PlainMode
{
    public static int Run(Args args)
    {
        var items = args.Int("items", 1_000_000);

        // Warm, as the worker is: the timed pass runs the JIT's final code, not its first tiers.
        var sink = Pass(0, items / 5);
        var watch = Stopwatch.StartNew();
        sink ^= Pass(0, items);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"plain {watch.Elapsed.TotalSeconds:F6} {sink & 1}"));
        return 0;
    }

    private static ulong Pass(long start, long end)
    {
        ulong sink = 0;
        for (var i = start; i < end; i++)
        {
            sink ^= BenchHandlers.Item((ulong)i);
        }

        return sink;
    }
}
