namespace HeavyJobs.Whois.Server;

/// <summary>Shape of a <see cref="SyntheticPopulation"/>.</summary>
public sealed record SyntheticPopulationOptions
{
    /// <summary>Share of domains that are registered; the rest answer "not found".</summary>
    public double RegisteredFraction { get; init; } = 0.85;

    /// <summary>
    /// The "today" of the population: every date lies before it and every expiry after it. Fixed rather than read
    /// from a clock so that two processes, or two runs a day apart, describe the same domains.
    /// </summary>
    public DateTimeOffset ReferenceDate { get; init; } = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Restricts the population to these suffixes (e.g. <c>["com", "de"]</c>); null for all of <see cref="SyntheticPopulation.AllTlds"/>.</summary>
    public IReadOnlyList<string>? Suffixes { get; init; }
}
