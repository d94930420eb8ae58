namespace HeavyJobs.Web.Queries;

/// <summary>The counts an aggregating stage of a job wrote, by dimension, largest first.</summary>
/// <param name="Stage">The stage read; -1 when the job has no stage with outputs.</param>
/// <param name="Skipped">Outputs of that stage that are not "dimension|value" with a whole-number count.</param>
public sealed record AggregatesDto(long JobId, string JobName, int Stage, string StageName, IReadOnlyList<DimensionDto> Dimensions, long Skipped);

/// <param name="Total">The sum of every value's count.</param>
/// <param name="Values">How many distinct values the dimension has; <paramref name="Rows"/> holds the largest of them.</param>
public sealed record DimensionDto(string Name, long Total, long Values, IReadOnlyList<AggregateValueDto> Rows);

public sealed record AggregateValueDto(string Value, long Count, double Percent);
