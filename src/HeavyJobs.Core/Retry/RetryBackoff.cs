namespace HeavyJobs.Core.Retry;

/// <summary>Exponential back-off with jitter for failed chunks and crashing workers.</summary>
public static class RetryBackoff
{
    /// <summary>The delay before the second attempt. The default value is 2 seconds.</summary>
    public static readonly TimeSpan DefaultBase = TimeSpan.FromSeconds(2);

    /// <summary>No delay grows past this. The default value is 10 minutes.</summary>
    public static readonly TimeSpan DefaultCap = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The delay after the given failed attempt (1-based): base·2^(attempt-1), capped, then spread over
    /// [½·d, d] so that many chunks failing together do not come back together.
    /// </summary>
    public static TimeSpan Compute(int attempt, Random random, TimeSpan? baseDelay = null, TimeSpan? cap = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        var b = (baseDelay ?? DefaultBase).TotalMilliseconds;
        var c = (cap ?? DefaultCap).TotalMilliseconds;
        var exp = Math.Min(c, b * Math.Pow(2, Math.Min(attempt - 1, 30)));
        var jittered = exp / 2 + (random.NextDouble() * exp / 2);
        return TimeSpan.FromMilliseconds(Math.Round(jittered));
    }
}
