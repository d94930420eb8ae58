using HeavyJobs.Core.Model;

namespace HeavyJobs.Storage.Jobs;

/// <summary>A job's chunks per stage and state, with how many finished since <paramref name="FinishedSince"/> (for rates).</summary>
public sealed record JobStageCountsParams(long JobId, DateTimeOffset FinishedSince);

public sealed record StageStateCount(int Stage, ChunkState State, long Chunks, ChunkCounters Counters, long FinishedSince);
