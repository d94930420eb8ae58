namespace HeavyJobs.Web.Queries;

/// <param name="StepSeconds">The width of one point: a minute for an hour, wider for longer ranges.</param>
public sealed record ThroughputDto(
    string Range,
    DateTimeOffset From,
    DateTimeOffset To,
    int StepSeconds,
    IReadOnlyList<SeriesDto> Workers,
    IReadOnlyList<SeriesDto> Types,
    TallyDto Total);

/// <param name="Points">[start of the step in Unix ms, items, good, bad] for every step with samples.</param>
public sealed record SeriesDto(string Key, string Label, long Items, long Good, long Bad, IReadOnlyList<long[]> Points);

public sealed record TallyDto(long Items, long Good, long Bad);
