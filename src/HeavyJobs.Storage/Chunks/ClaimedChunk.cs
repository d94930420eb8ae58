using HeavyJobs.Core.Model;

namespace HeavyJobs.Storage.Chunks;

/// <summary>A chunk as a worker receives it at claim time, with the epoch that fences its writes.</summary>
public sealed record ClaimedChunk(
    long Id,
    long JobId,
    int Stage,
    string Type,
    long Epoch,
    string Input,
    string? Cursor,
    ChunkCounters Counters,
    int Attempts,
    int MaxAttempts,
    int Priority,
    DateTimeOffset LeaseExpiresAt);
