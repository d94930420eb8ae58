using HeavyJobs.Runtime.Monitor;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Nodes;
using HeavyJobs.Storage.Pipelines;

namespace HeavyJobs.Runtime.Manager;

/// <summary>
/// Declares dead a machine whose monitor missed <see cref="ManagerOptions.MissedBeats"/> heartbeats in a row (or
/// <see cref="ManagerOptions.MissedBeatsWhileConnected"/> while its session still holds the machine's name): its
/// workers are marked lost and every chunk they held goes back to the pool with its cursor at once, without
/// waiting for leases. Logged once per death (<c>machine-dead</c>). Silence while the store was away is not counted
/// (<see cref="ManagerAgenda.StoreBackAt"/>).
/// </summary>
public sealed class MachineWatchDuty(IMaintenanceStore store, ManagerOptions options) : IManagerDuty
{
    /// <summary>A deadline is looked at this long after it falls, so that the machine is past it when looked at.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(50);

    public async Task<DateTimeOffset?> RunAsync(ManagerAgenda agenda, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (agenda.NextMachineDeadline is not { } deadline)
        {
            return null;
        }

        if (deadline > now)
        {
            return deadline + Slack;
        }

        foreach (var node in await store.NodeListAsync(cancellationToken))
        {
            var silence = node.Beat * options.MissedBeats;
            if (node.State != NodeStates.Up || node.HeartbeatAt + silence >= now)
            {
                continue;
            }

            // The store was away (restarted, cut off) until lately: no monitor could beat, so each gets the whole
            // silence again from the store's return before it is taken for dead; otherwise a database restart
            // could declare live machines dead (their name locks not yet taken again), losing their workers'
            // uncommitted work.
            if (agenda.StoreBackAt is { } back && back + silence >= now)
            {
                continue;
            }

            // A monitor kept off the CPU for a few seconds (a loaded machine) misses beats without being gone: while
            // its session still holds the machine's name, it is given the longer limit.
            if (node.HeartbeatAt + (node.Beat * Math.Max(options.MissedBeats, options.MissedBeatsWhileConnected)) >= now
                && await store.LockHeldAsync(MachineBeat.NameLock(node.Name), cancellationToken) == true)
            {
                continue;
            }

            var reason = $"machine {node.Name} missed {options.MissedBeats} heartbeats ({(now - node.HeartbeatAt).TotalSeconds:0.0} s silent)";
            // The death is logged, with what it freed, in the transaction that declares it.
            await store.NodeDeclareDeadAsync(
                new NodeDeclareDeadParams(
                    node.Name,
                    now - silence,
                    reason,
                    now,
                    dead => new ActionInsertParams(
                        HeavyManager.Actor,
                        ActionKinds.MachineDead,
                        $"{reason}: {dead.LostWorkers.Count} workers lost, {dead.FreedChunks} chunks freed ({dead.Started.Count} had started)",
                        now,
                        Node: node.Name)),
                cancellationToken);
        }

        return now + options.Tick;
    }
}
