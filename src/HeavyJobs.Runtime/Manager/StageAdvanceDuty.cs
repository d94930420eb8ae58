using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Pipelines;

namespace HeavyJobs.Runtime.Manager;

/// <summary>Advances pipelines: releases a barrier stage once nothing before it can still run.</summary>
public sealed class StageAdvanceDuty(IMaintenanceStore store, ManagerOptions options) : IManagerDuty
{
    public async Task<DateTimeOffset?> RunAsync(ManagerAgenda agenda, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!agenda.ActiveJobs)
        {
            return null;
        }

        // Each release is logged in the transaction that makes it.
        await store.JobAdvanceStagesAsync(
            new JobAdvanceParams(
                now,
                r => new ActionInsertParams(
                    HeavyManager.Actor,
                    ActionKinds.Advance,
                    $"stage {r.Stage} ({r.Name}) released: {(r.Created ? "its one chunk created" : $"{r.Chunks} waiting chunks")}; every earlier stage is done",
                    now,
                    JobId: r.JobId)),
            cancellationToken);

        return now + options.Tick;
    }
}
