using HeavyJobs.Runtime.Fleet;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Handlers;
using HeavyJobs.Core.Model;
using HeavyJobs.Runtime.Jobs;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Monitoring;

namespace HeavyJobs.Runtime.Hosting;

/// <summary>
/// What an application does with HeavyJobs from its own code: submit jobs, set how many workers of a type a
/// machine runs, and wait for a job to finish. Registered by <c>AddHeavyJobs</c>; the same calls the command line
/// and the dashboard make, logged to the action log under <see cref="Actor"/>.
/// </summary>
public sealed class HeavyJobsClient(IHeavyStore store, HandlerRegistry registry, TimeProvider time)
{
    /// <summary>The actor of this client's rows in the action log.</summary>
    public string Actor { get; init; } = "app";

    /// <summary>Validates a job (its types must be registered here), splits it into chunks and stores it; returns its id.</summary>
    /// <exception cref="JobDefinitionException">The definition is not valid.</exception>
    /// <exception cref="UnknownJobTypeException">A stage names a type no handler is registered for.</exception>
    public async Task<long> SubmitAsync(JobDefinition definition, CancellationToken cancellationToken) =>
        (await JobSubmitter.SubmitAsync(store, registry, definition, Actor, Environment.CurrentDirectory, time, cancellationToken)).JobId;

    /// <summary>Parses a job file (YAML or JSON, docs/handlers.md) and submits it; returns its id.</summary>
    public async Task<long> SubmitFileAsync(string path, CancellationToken cancellationToken) =>
        (await JobSubmitter.SubmitFileAsync(store, registry, path, time, cancellationToken)).JobId;

    /// <summary>Sets how many workers of <paramref name="type"/> the monitor of <paramref name="node"/> keeps running.</summary>
    public Task ScaleAsync(string node, string type, int count, CancellationToken cancellationToken) =>
        FleetControl.ScaleMachineAsync(store, store, node, type, count, Actor, time.GetUtcNow(), cancellationToken);

    /// <summary>Sets how many workers of <paramref name="type"/> the whole fleet runs; the leading manager spreads them over the machines that are up.</summary>
    public Task ScaleFleetAsync(string type, int count, CancellationToken cancellationToken) =>
        FleetControl.ScaleFleetAsync(store, type, count, Actor, time.GetUtcNow(), cancellationToken);

    /// <summary>Drains (cordons) a machine, or undrains it.</summary>
    public Task<bool> DrainAsync(string node, bool drained, CancellationToken cancellationToken) =>
        FleetControl.DrainAsync(store, store, node, drained, Actor, time.GetUtcNow(), cancellationToken);

    /// <summary>
    /// Waits until the job is no longer active or paused (the fleet's manager rolls it up), waking on the store's
    /// changes; returns it with its counts.
    /// </summary>
    public async Task<JobSummary> WaitAsync(long jobId, CancellationToken cancellationToken)
    {
        await using var watcher = store.CreateChangeWatcher();
        while (true)
        {
            var job = await store.JobGetAsync(jobId, cancellationToken) ?? throw new ArgumentException($"no job {jobId}", nameof(jobId));
            if (job.State is not (JobState.Active or JobState.Paused))
            {
                return (await store.JobListAsync(new JobListParams(Limit: 1, BeforeId: jobId + 1), cancellationToken)).Single(j => j.Job.Id == jobId);
            }

            await watcher.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
        }
    }
}
