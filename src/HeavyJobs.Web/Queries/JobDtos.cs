namespace HeavyJobs.Web.Queries;

/// <param name="ChunksByState">Chunk counts keyed by state name.</param>
/// <param name="CountedAt">When the chunks were counted (the dashboard recounts every few seconds); null when not yet.</param>
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
    DateTimeOffset? CountedAt = null);

/// <param name="NextBefore">Pass as before= for the next (older) page; null on the last page.</param>
public sealed record JobPageDto(IReadOnlyList<JobDto> Jobs, long? NextBefore);

public sealed record JobDetailDto(JobDto Job, IReadOnlyList<StageDto> Stages, string Parameters);

/// <param name="Chunks">The stage's chunks as of the job's last count, and how many of them are done.</param>
public sealed record StageDto(int Index, string Name, string Type, string Mode, long Chunks = 0, long ChunksDone = 0);

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
