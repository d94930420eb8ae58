namespace HeavyJobs.Whois.Client;

/// <summary>Limits for one WHOIS server.</summary>
/// <param name="RequestsPerSecond">Sustained query rate; may be below 1 (0.2 = one query every 5 s).</param>
/// <param name="Burst">Queries that may start back to back after an idle period (token bucket capacity).</param>
/// <param name="MaxConcurrency">Queries in flight at once.</param>
public sealed record WhoisPolitenessLimits(double RequestsPerSecond, int Burst = 1, int MaxConcurrency = 1)
{
    internal void Validate(string what)
    {
        if (!(RequestsPerSecond > 0) || double.IsInfinity(RequestsPerSecond))
            throw new ArgumentOutOfRangeException(what, RequestsPerSecond, "RequestsPerSecond must be a positive finite number.");
        if (Burst < 1)
            throw new ArgumentOutOfRangeException(what, Burst, "Burst must be at least 1.");
        if (MaxConcurrency < 1)
            throw new ArgumentOutOfRangeException(what, MaxConcurrency, "MaxConcurrency must be at least 1.");
    }
}

/// <summary>Configuration of <see cref="LocalWhoisPoliteness"/>.</summary>
public sealed record LocalWhoisPolitenessOptions
{
    /// <summary>Limits for servers not listed in <see cref="PerServer"/>. Conservative: registries ban eager clients.</summary>
    public WhoisPolitenessLimits Default { get; init; } = new(RequestsPerSecond: 1, Burst: 1, MaxConcurrency: 2);

    /// <summary>Limits per server name (case-insensitive).</summary>
    public IReadOnlyDictionary<string, WhoisPolitenessLimits> PerServer { get; init; } =
        new Dictionary<string, WhoisPolitenessLimits>(StringComparer.OrdinalIgnoreCase);
}

/// <summary>Counters of one server in <see cref="LocalWhoisPoliteness"/>.</summary>
/// <param name="Granted">Queries allowed to start so far.</param>
/// <param name="WaitingForRate">Queries holding a concurrency slot and waiting for the rate budget.</param>
/// <param name="InFlight">Concurrency slots taken (waiting for the rate or running).</param>
public sealed record WhoisPolitenessStatistics(long Granted, int WaitingForRate, int InFlight);
