namespace HeavyJobs.Storage.Throughput;

/// <summary>Items, good and bad records one worker did for one type and stage in one minute.</summary>
public sealed record ThroughputRow(DateTimeOffset Bucket, long WorkerId, string Type, int Stage, long Items, long Good, long Bad);

public sealed record ThroughputSample(DateTimeOffset At, long WorkerId, string Type, int Stage, long Items, long Good, long Bad)
{
    /// <summary>The start of the minute the sample falls in.</summary>
    public long BucketMs => StoreTime.ToMs(At) / 60_000 * 60_000;
}

public sealed record ThroughputAddParams(IReadOnlyList<ThroughputSample> Samples);

/// <param name="StepMs">
/// When set, rows are summed per worker, type and stage into buckets of this many milliseconds (whole minutes) by the
/// database; closed buckets are read from the coarsest roll-up (10 minutes, 2 hours) whose width divides the step.
/// </param>
public sealed record ThroughputListParams(DateTimeOffset From, DateTimeOffset To, long? WorkerId = null, string? Type = null, long? StepMs = null);
