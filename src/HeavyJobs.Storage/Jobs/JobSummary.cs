using HeavyJobs.Core.Model;

namespace HeavyJobs.Storage.Jobs;

/// <summary>A job with its chunks counted by state and its items summed: what status and the dashboard show.</summary>
public sealed record JobSummary(JobRow Job, IReadOnlyDictionary<ChunkState, long> ChunksByState, ChunkCounters Counters)
{
    public long ChunkCount => ChunksByState.Values.Sum();

    public long Count(ChunkState state) => ChunksByState.TryGetValue(state, out var n) ? n : 0;
}

/// <param name="Counts">Count each job's chunks (a scan of its chunks); false leaves the counts empty, for callers that read the roll-up.</param>
public sealed record JobListParams(int Limit = 100, JobState? State = null, long? BeforeId = null, bool Counts = true);
