using HeavyJobs.Demo;

namespace HeavyJobs.Core.Tests.Demo;

public sealed class PrimeCountHandlerTests
{
    [Theory]
    [InlineData(1_000L, 168L)]
    [InlineData(1_000_000L, 78_498L)]
    public void CountPrimes_InSegments_MatchesTheKnownCount(long below, long expected)
    {
        var basePrimes = PrimeCountHandler.SmallPrimes((long)Math.Sqrt(below) + 1);
        long total = 0;
        for (long from = 0; from < below; from += 777)
        {
            total += PrimeCountHandler.CountPrimes(from, Math.Min(below, from + 777), basePrimes);
        }

        Assert.Equal(expected, total);
    }
}
