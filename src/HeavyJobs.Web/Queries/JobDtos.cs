namespace HeavyJobs.Web.Queries;

/// <param name="ChunksByState">Chunk counts keyed by state name.</param>
/// <param name="CountedAt">When the chunks were counted (the dashboard recounts every few seconds); null when not yet.</param>
/// <param name="Eta">When the job should be done, as of that count (see <see cref="StageDto"/>); null when it cannot be told yet.</param>
public sealed record JobDto(
    long Id,
    string Name,
    string State,
    int Priority,
    int MaxAttempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? FinishedAt,
    long Chunks,
    IReadOnlyDictionary<string, long> ChunksByState,
    long FinishedChunks,
    double PercentDone,
    long Done,
    long Good,
    long Bad,
    DateTimeOffset? CountedAt = null,
    EtaDto? Eta = null);

/// <param name="NextBefore">Pass as before= for the next (older) page; null on the last page.</param>
public sealed record JobPageDto(IReadOnlyList<JobDto> Jobs, long? NextBefore);

public sealed record JobDetailDto(JobDto Job, IReadOnlyList<StageDto> Stages, string Parameters);

/// <summary>
/// A stage's chunks as of the job's last count, its pace and its ETA, computed by <c>JobProgress</c> as
/// <c>heavyjobs status</c> does.
/// </summary>
/// <param name="Remaining">Chunks still to run: pending, running, paused or waiting.</param>
/// <param name="Waiting">Chunks waiting for the stages before them.</param>
/// <param name="Failed">Failed and quarantined chunks.</param>
/// <param name="ChunksPerMinute">Chunks of the stage finished per minute over the five minutes before the count.</param>
/// <param name="Eta">Time left at that pace, never before the stages feeding it; null when it cannot be told yet.</param>
public sealed record StageDto(
    int Index,
    string Name,
    string Type,
    string Mode,
    long Chunks = 0,
    long ChunksDone = 0,
    long Running = 0,
    long Waiting = 0,
    long Failed = 0,
    long Remaining = 0,
    long Items = 0,
    long Good = 0,
    long Bad = 0,
    double ChunksPerMinute = 0,
    EtaDto? Eta = null);

/// <summary>Time left; <paramref name="IsLowerBound"/> when it waits on a barrier whose own run time is not known yet (at least this).</summary>
public sealed record EtaDto(double Seconds, bool IsLowerBound)
{
    public static EtaDto? From(TimeSpan? eta, bool isLowerBound) =>
        eta is { } e ? new EtaDto(Math.Round(Math.Max(0, e.TotalSeconds)), isLowerBound && e > TimeSpan.Zero) : null;
}

/// <param name="Holders">Every worker id that held the chunk, oldest first.</param>
/// <param name="LastError">The newest entry of its error history (failures, deaths of holders, resets).</param>
public sealed record ChunkDto(
    long Id,
    long JobId,
    int Stage,
    string Type,
    string State,
    long Done,
    long Good,
    long Bad,
    string? Cursor,
    IReadOnlyList<long> Holders,
    long? LeaseOwner,
    int Attempts,
    int MaxAttempts,
    int Crashes,
    string? LastError,
    string Input,
    DateTimeOffset UpdatedAt);

/// <param name="NextAfter">Pass as after= for the next page; null on the last page.</param>
public sealed record ChunkPageDto(IReadOnlyList<ChunkDto> Chunks, long? NextAfter);
