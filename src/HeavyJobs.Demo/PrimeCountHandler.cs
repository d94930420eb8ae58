using System.Globalization;
using HeavyJobs.Core.Handlers;

namespace HeavyJobs.Demo;

/// <summary>
/// The first demo job: counts the primes in a range of integers with a segmented sieve, one checkpoint per
/// segment. Honest CPU work whose answer is known (π(10^k)), so a run shows at a glance that no segment was
/// lost or counted twice, whatever was killed along the way.
/// </summary>
public sealed class PrimeCountHandler : IChunkHandler
{
    public const string Type = "demo.primes";

    /// <summary>Numbers sieved between checkpoints unless the job says otherwise.</summary>
    public const long DefaultSegment = 1_000_000;

    public async ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken)
    {
        var start = context.Input.GetProperty("start").GetInt64();
        var end = context.Input.GetProperty("end").GetInt64();
        var segment = context.Parameters.TryGetProperty("segment", out var s) ? s.GetInt64() : DefaultSegment;
        var from = context.Cursor is { } cursor ? long.Parse(cursor, CultureInfo.InvariantCulture) : start;
        var basePrimes = SmallPrimes((long)Math.Sqrt(end) + 1);

        while (from < end)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var to = Math.Min(end, from + segment);
            var count = CountPrimes(from, to, basePrimes);
            context.Add(to - from, good: count);
            context.Output($"{from}-{to}", count.ToString(CultureInfo.InvariantCulture));
            from = to;
            await context.CheckpointAsync(from.ToString(CultureInfo.InvariantCulture), cancellationToken);
        }
    }

    /// <summary>The primes below <paramref name="limit"/> by a plain sieve.</summary>
    public static int[] SmallPrimes(long limit)
    {
        var composite = new bool[limit + 1];
        var primes = new List<int>();
        for (var i = 2; i <= limit; i++)
        {
            if (composite[i])
            {
                continue;
            }

            primes.Add(i);
            for (var j = (long)i * i; j <= limit; j += i)
            {
                composite[j] = true;
            }
        }

        return [.. primes];
    }

    /// <summary>The number of primes in [from, to), sieving only that window.</summary>
    public static long CountPrimes(long from, long to, int[] basePrimes)
    {
        var composite = new bool[to - from];
        foreach (long p in basePrimes)
        {
            if (p * p >= to)
            {
                break;
            }

            var first = Math.Max(p * p, (from + p - 1) / p * p);
            for (var j = first; j < to; j += p)
            {
                composite[j - from] = true;
            }
        }

        long count = 0;
        for (var n = Math.Max(from, 2); n < to; n++)
        {
            if (!composite[n - from])
            {
                count++;
            }
        }

        return count;
    }
}
