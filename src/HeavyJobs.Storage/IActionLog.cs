using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Changes;
using HeavyJobs.Storage.Dashboard;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.KeySets;
using HeavyJobs.Storage.Monitoring;
using HeavyJobs.Storage.Nodes;
using HeavyJobs.Storage.Pipelines;
using HeavyJobs.Storage.Politeness;
using HeavyJobs.Storage.Schedules;
using HeavyJobs.Storage.Throughput;
using HeavyJobs.Storage.Workers;

namespace HeavyJobs.Storage;

/// <summary>The action log: every process writes what it did, and why.</summary>
public interface IActionLog
{
    Task ActionInsertAsync(ActionInsertParams p, CancellationToken cancellationToken);
}
