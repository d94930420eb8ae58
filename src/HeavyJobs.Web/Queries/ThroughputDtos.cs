namespace HeavyJobs.Web.Queries;

/// <param name="StepSeconds">The width of one point: a minute for an hour, wider for longer ranges.</param>
/// <param name="By">The grouping asked for (worker, type or stage): only its series are filled; null fills all three.</param>
/// <param name="Stages">One series per stage: key "STAGE:TYPE", labelled with the stage's name in the newest job that has it.</param>
public sealed record ThroughputDto(
    string Range,
    DateTimeOffset From,
    DateTimeOffset To,
    int StepSeconds,
    IReadOnlyList<SeriesDto> Workers,
    IReadOnlyList<SeriesDto> Types,
    TallyDto Total,
    IReadOnlyList<SeriesDto> Stages,
    string? By = null);

/// <param name="Points">[start of the step in Unix ms, items, good, bad] for every step with samples.</param>
public sealed record SeriesDto(string Key, string Label, long Items, long Good, long Bad, IReadOnlyList<long[]> Points);

public sealed record TallyDto(long Items, long Good, long Bad);

/// <summary>How the throughput chart splits its lines.</summary>
public static class ThroughputGrouping
{
    public const string Worker = "worker";
    public const string Type = "type";
    public const string Stage = "stage";

    public static readonly IReadOnlyList<string> Names = [Worker, Type, Stage];

    /// <summary>The grouping named, or null for any other text (every grouping).</summary>
    public static string? Parse(string? by) => Names.FirstOrDefault(n => string.Equals(n, by?.Trim(), StringComparison.OrdinalIgnoreCase));
}
