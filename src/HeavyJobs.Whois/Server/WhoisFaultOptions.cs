namespace HeavyJobs.Whois.Server;

/// <summary>
/// Misbehaviour a logical server of <see cref="LocalWhoisServer"/> injects. Probabilities are per request and
/// exclusive in this order: reset, close without answer, rate limit, then garbage or truncation.
/// </summary>
public sealed record WhoisFaultOptions
{
    /// <summary>No faults.</summary>
    public static WhoisFaultOptions None { get; } = new();

    /// <summary>Delay between reading the query and answering (applies to every outcome).</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>Probability of resetting the connection (TCP RST) instead of answering.</summary>
    public double ResetProbability { get; init; }

    /// <summary>Probability of closing the connection cleanly without sending a byte.</summary>
    public double CloseWithoutAnswerProbability { get; init; }

    /// <summary>
    /// Probability of answering with the server's "limit exceeded" message however slowly it is asked (as real
    /// servers do when another client behind the same address used up the quota).
    /// </summary>
    public double RateLimitProbability { get; init; }

    /// <summary>Probability of answering with random bytes.</summary>
    public double GarbageProbability { get; init; }

    /// <summary>Probability of sending only a random prefix of the answer.</summary>
    public double TruncateProbability { get; init; }

    /// <summary>
    /// Queries per second this server tolerates (over any trailing one-second window); beyond it the server
    /// answers with its rate-limit message. Null for no limit.
    /// </summary>
    public double? RateLimitPerSecond { get; init; }

    internal void Validate(string what)
    {
        foreach (var p in (double[])[ResetProbability, CloseWithoutAnswerProbability, RateLimitProbability, GarbageProbability, TruncateProbability])
        {
            if (p is < 0 or > 1 || double.IsNaN(p))
                throw new ArgumentOutOfRangeException(what, p, "Fault probabilities must be within [0, 1].");
        }

        if (ResetProbability + CloseWithoutAnswerProbability + RateLimitProbability > 1 || GarbageProbability + TruncateProbability > 1)
            throw new ArgumentOutOfRangeException(what, "Exclusive fault probabilities must not add up to more than 1.");
        if (Latency < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(what, Latency, "Latency must not be negative.");
        if (RateLimitPerSecond is <= 0)
            throw new ArgumentOutOfRangeException(what, RateLimitPerSecond, "RateLimitPerSecond must be positive.");
    }
}
