using HeavyJobs.Core.Model;

namespace HeavyJobs.Storage.Chunks;

public sealed record ChunkRow(
    long Id,
    long JobId,
    int Stage,
    string Type,
    ChunkState State,
    int Priority,
    string Input,
    string? Cursor,
    ChunkCounters Counters,
    int Attempts,
    int MaxAttempts,
    int Crashes,
    string Errors,
    long Epoch,
    long? LeaseOwner,
    DateTimeOffset? LeaseExpiresAt,
    IReadOnlyList<long> Holders,
    DateTimeOffset RunAfter,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt);

/// <param name="AfterId">Paging: only chunks with a greater id.</param>
public sealed record ChunkListParams(long? JobId = null, ChunkState? State = null, long? AfterId = null, int Limit = 1000);
