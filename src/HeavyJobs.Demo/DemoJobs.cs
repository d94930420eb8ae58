using HeavyJobs.Core.Handlers;

namespace HeavyJobs.Demo;

public static class DemoJobs
{
    /// <summary>π(10^k): the answers the demo checks itself against.</summary>
    public static readonly IReadOnlyDictionary<long, long> KnownPrimeCounts = new Dictionary<long, long>
    {
        [1_000] = 168,
        [1_000_000] = 78_498,
        [10_000_000] = 664_579,
        [100_000_000] = 5_761_455,
        [1_000_000_000] = 50_847_534,
        [10_000_000_000] = 455_052_511,
    };

    public static HandlerRegistry.Builder AddDemoHandlers(this HandlerRegistry.Builder builder) =>
        builder.Add<PrimeCountHandler>(PrimeCountHandler.Type, new HandlerOptions { StallTimeout = TimeSpan.FromMinutes(2) });
}
