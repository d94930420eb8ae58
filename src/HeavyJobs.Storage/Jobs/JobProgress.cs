using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;

namespace HeavyJobs.Storage.Jobs;

/// <summary>One stage of a job: its chunks, its recent pace and when it should be done.</summary>
/// <param name="ChunksPerMinute">Chunks of this stage finished per minute over the last few minutes.</param>
/// <param name="Eta">Time left at that pace; zero when done, null when it cannot be told yet (nothing finished yet, or a barrier still waiting).</param>
public sealed record StageProgress(
    int Stage,
    string Name,
    string Type,
    StageMode Mode,
    long Total,
    long Done,
    long Running,
    long Waiting,
    long Failed,
    ChunkCounters Counters,
    double ChunksPerMinute,
    TimeSpan? Eta)
{
    /// <summary>Pending, running, paused or waiting: chunks that still have to run.</summary>
    public long Remaining { get; init; }

    /// <summary>The stage still waits on a barrier whose own run time is unknown: it takes at least <see cref="Eta"/>.</summary>
    public bool EtaIsLowerBound { get; init; }
}

/// <summary>A job's progress per stage, and when the whole job should be done (the slowest stage, counting downstream waits).</summary>
public sealed record JobProgress(long JobId, IReadOnlyList<StageProgress> Stages, TimeSpan? Eta)
{
    /// <summary>The last stage waits on a barrier whose run time is unknown: the job takes at least <see cref="Eta"/>.</summary>
    public bool EtaIsLowerBound => Stages.Count > 0 && Stages[^1].EtaIsLowerBound;

    /// <summary>How far back the pace is measured.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    public static async Task<JobProgress> ReadAsync(IDashboardStore store, JobRow job, DateTimeOffset now, CancellationToken cancellationToken) =>
        From(job, await store.JobStageCountsAsync(new JobStageCountsParams(job.Id, now - Window), cancellationToken), now);

    /// <summary>From the dashboard's recount instead of a scan of the job's chunks: paced as of the recount.</summary>
    public static JobProgress From(JobRow job, Dashboard.JobStats stats) => From(job, stats.StageCounts, stats.RefreshedAt);

    public static JobProgress From(JobRow job, IReadOnlyList<StageStateCount> counts, DateTimeOffset now)
    {
        var finishedJob = job.State is not (JobState.Active or JobState.Paused);
        // A young job's pace is measured over its own life, not over five minutes it did not exist.
        var minutes = Math.Max(1.0 / 60, Math.Min(Window.TotalMinutes, (now - job.CreatedAt).TotalMinutes));
        var stages = new List<StageProgress>(job.Stages.Count);
        TimeSpan? upstream = TimeSpan.Zero;
        var upstreamAtLeast = false;
        for (var i = 0; i < job.Stages.Count; i++)
        {
            var mine = counts.Where(c => c.Stage == i).ToList();
            long Count(params ChunkState[] states) => mine.Where(c => states.Contains(c.State)).Sum(c => c.Chunks);
            var remaining = Count(ChunkState.Pending, ChunkState.Running, ChunkState.Paused, ChunkState.Waiting);
            var rate = mine.Sum(c => c.FinishedSince) / minutes;
            var notStarted = remaining == Count(ChunkState.Waiting);
            TimeSpan? eta;
            var atLeast = upstreamAtLeast;
            if (finishedJob)
            {
                eta = TimeSpan.Zero;
            }
            else if (upstream is null)
            {
                eta = null;
            }
            else if (job.Stages[i].Mode == StageMode.Barrier && notStarted && upstream > TimeSpan.Zero)
            {
                // A barrier runs after everything before it; how long it then takes is not known yet.
                eta = upstream;
                atLeast = true;
            }
            else if (remaining == 0)
            {
                eta = upstream;
            }
            else if (rate > 0)
            {
                // A stage cannot finish before the stages that feed it.
                var own = TimeSpan.FromMinutes(remaining / rate);
                eta = own > upstream ? own : upstream;
            }
            else
            {
                eta = null;
            }

            stages.Add(new StageProgress(
                i,
                job.Stages[i].Name,
                job.Stages[i].Type,
                job.Stages[i].Mode,
                mine.Sum(c => c.Chunks),
                Count(ChunkState.Done),
                Count(ChunkState.Running),
                Count(ChunkState.Waiting),
                Count(ChunkState.Failed, ChunkState.Quarantined),
                mine.Aggregate(ChunkCounters.Zero, (sum, c) => sum + c.Counters),
                rate,
                eta) { Remaining = remaining, EtaIsLowerBound = atLeast && eta > TimeSpan.Zero });
            upstream = eta;
            upstreamAtLeast = atLeast;
        }

        return new JobProgress(job.Id, stages, finishedJob ? TimeSpan.Zero : stages.Count == 0 ? null : stages[^1].Eta);
    }
}
