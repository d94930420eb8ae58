using System.Diagnostics;
using System.Globalization;

namespace HeavyJobs.Bench.Modes;

/// <summary>The bare limit of the overhead scenario: the same items in a plain loop, no job system.</summary>
internal static class PlainMode
{
    public static int Run(Args args)
    {
        var items = args.Int("items", 1_000_000);
        var watch = Stopwatch.StartNew();
        ulong sink = 0;
        for (long i = 0; i < items; i++)
        {
            sink ^= BenchHandlers.Item((ulong)i);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"plain {watch.Elapsed.TotalSeconds:F6} {sink & 1}"));
        return 0;
    }
}
