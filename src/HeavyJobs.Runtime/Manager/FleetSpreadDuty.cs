using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Fleet;
using HeavyJobs.Storage.Pipelines;

namespace HeavyJobs.Runtime.Manager;

/// <summary>
/// Spreads fleet-wide worker counts over the machines (<see cref="FleetSpread"/>) whenever the fleet's shape
/// changes: a target set, a machine joining, dying, drained or undrained, an operator pinning a machine. The
/// agenda's stamp says when; an unchanged fleet costs nothing. Every change of spread is logged with it.
/// </summary>
public sealed class FleetSpreadDuty(IMaintenanceStore store, TimeProvider time) : IManagerDuty
{
    private long _spreadStamp;

    public async Task<DateTimeOffset?> RunAsync(ManagerAgenda agenda, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (agenda.FleetStamp == 0 || agenda.FleetStamp == _spreadStamp)
        {
            return null;
        }

        var fleet = await store.FleetTargetListAsync(cancellationToken);
        var nodes = await store.NodeListAsync(cancellationToken);
        var machineTargets = await store.WorkerTargetListAsync(null, cancellationToken);
        var spread = FleetSpread.Compute(fleet, nodes, machineTargets);
        var up = nodes.Count(n => n.State == Storage.Nodes.NodeStates.Up && !n.Drained);
        var log = fleet.Select(type =>
            {
                var parts = machineTargets.Where(t => t.Type == type.Type && t.Pinned).Select(t => $"{t.Node}={t.Count} (pinned)")
                    .Concat(spread.Where(s => s.Type == type.Type && s.Count > 0).Select(s => $"{s.Node}={s.Count}"));
                return new ActionInsertParams(HeavyManager.Actor, ActionKinds.Spread, $"{type.Type}={type.Count} over {up} machines up: {string.Join(" ", parts)}", now);
            })
            .ToList();
        // Logged by the store only if the spread changed a target, in the same transaction.
        await store.WorkerTargetSpreadAsync(new WorkerTargetSpreadParams(spread, time.GetUtcNow(), log), cancellationToken);

        _spreadStamp = agenda.FleetStamp;
        return null;
    }
}
