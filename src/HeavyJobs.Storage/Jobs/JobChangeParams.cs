using HeavyJobs.Storage.Actions;

namespace HeavyJobs.Storage.Jobs;

/// <summary>Cancel, pause or resume a job; the change cascades to every stage's chunks.</summary>
/// <param name="Log">The action that explains the change, logged in its transaction if the job changed.</param>
public sealed record JobChangeParams(long JobId, DateTimeOffset Now, ActionInsertParams? Log = null);

/// <summary>Completes every active job with nothing left to run, or fails it if a chunk failed.</summary>
/// <param name="Log">The action that explains each job's end, from how it ended, logged in the same transaction.</param>
public sealed record JobFinishParams(DateTimeOffset Now, Func<FinishedJob, ActionInsertParams>? Log = null);

/// <param name="State">Completed or failed.</param>
public sealed record FinishedJob(long JobId, Core.Model.JobState State);
