using HeavyJobs.Core.Model;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Pipelines;

namespace HeavyJobs.Runtime.Manager;

/// <summary>Rolls jobs up: an active job with no chunk left to run is completed, or failed if a chunk failed.</summary>
public sealed class JobRollupDuty(IMaintenanceStore store, ManagerOptions options) : IManagerDuty
{
    public async Task<DateTimeOffset?> RunAsync(ManagerAgenda agenda, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!agenda.ActiveJobs)
        {
            return null;
        }

        // Each job's end is logged in the transaction that ends it.
        await store.JobFinishCompletedAsync(
            new JobFinishParams(
                now,
                Log: job => new ActionInsertParams(
                    HeavyManager.Actor,
                    job.State == JobState.Failed ? ActionKinds.JobFailed : ActionKinds.JobCompleted,
                    $"job {job.JobId} {(job.State == JobState.Failed ? "failed" : "completed")}: no chunk left to run",
                    now,
                    JobId: job.JobId)),
            cancellationToken);

        return now + options.Tick;
    }
}
