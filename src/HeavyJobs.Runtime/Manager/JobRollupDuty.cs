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

        foreach (var job in await store.JobFinishCompletedAsync(new JobFinishParams(now), cancellationToken))
        {
            var state = (await store.JobGetAsync(job, cancellationToken))?.State;
            var kind = state == JobState.Failed ? ActionKinds.JobFailed : ActionKinds.JobCompleted;
            var word = state == JobState.Failed ? "failed" : "completed";
            await store.ActionInsertAsync(new ActionInsertParams(HeavyManager.Actor, kind, $"job {job} {word}: no chunk left to run", now, JobId: job), cancellationToken);
        }

        return now + options.Tick;
    }
}
