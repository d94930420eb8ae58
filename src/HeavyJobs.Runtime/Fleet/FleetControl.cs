using HeavyJobs.Runtime.Monitor;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Fleet;
using HeavyJobs.Storage.Monitoring;
using HeavyJobs.Storage.Nodes;

namespace HeavyJobs.Runtime.Fleet;

/// <summary>
/// What an operator does to the fleet's shape, the same from the CLI, the dashboard, the API and an application:
/// scale a type on one machine (pinning it) or over the fleet, hand a machine back to the fleet spread, drain
/// and undrain a machine. Each change is logged with its actor, in the change's own transaction.
/// </summary>
public static class FleetControl
{
    /// <summary>The most workers of one type a target may ask for.</summary>
    public const int MaxTarget = 1000;

    /// <summary>Sets (and pins) a type's count on one machine; refuses a machine name the fleet does not know.</summary>
    public static async Task ScaleMachineAsync(IOperatorStore store, IDashboardStore reads, string node, string type, int count, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        CheckCount(type, count);
        await CheckMachineAsync(reads, node, cancellationToken);
        await store.WorkerTargetSetAsync(
            new WorkerTargetSetParams(node, type, count, now, new ActionInsertParams(actor, ActionKinds.Scale, $"{type} = {count}", now, node)),
            cancellationToken);
    }

    /// <summary>Sets a type's count over the whole fleet; the leading manager spreads it over the machines that are up.</summary>
    public static async Task ScaleFleetAsync(IOperatorStore store, string type, int count, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        CheckCount(type, count);
        await store.FleetTargetSetAsync(
            new FleetTargetSetParams(type, count, now, new ActionInsertParams(actor, ActionKinds.Scale, $"{type} = {count} over the fleet", now)),
            cancellationToken);
    }

    /// <summary>Hands a machine's count of a type back to the fleet spread.</summary>
    public static async Task UnpinAsync(IOperatorStore store, IDashboardStore reads, string node, string type, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await CheckMachineAsync(reads, node, cancellationToken);
        await store.WorkerTargetUnpinAsync(
            new WorkerTargetUnpinParams(node, type, now, new ActionInsertParams(actor, ActionKinds.Scale, $"{type}: back to the fleet spread", now, node)),
            cancellationToken);
    }

    /// <summary>Drains (cordons) or undrains a machine; false if it already was.</summary>
    public static async Task<bool> DrainAsync(IOperatorStore store, IDashboardStore reads, string node, bool drained, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await CheckMachineAsync(reads, node, cancellationToken, allowNew: false);
        var log = new ActionInsertParams(
            actor,
            drained ? ActionKinds.MachineDrain : ActionKinds.MachineUndrain,
            drained ? $"machine {node} drained: its workers checkpoint and leave, none start there" : $"machine {node} undrained: it takes workers again",
            now,
            node);
        return await store.NodeDrainAsync(new NodeDrainParams(node, drained, now, log), cancellationToken);
    }

    /// <summary>
    /// A machine name must be well formed and, once the fleet knows machines, one of them: a typo would otherwise
    /// set a target no monitor reads. A fleet with no machine yet accepts any name (targets set before the first
    /// monitor starts).
    /// </summary>
    public static async Task CheckMachineAsync(IDashboardStore reads, string node, CancellationToken cancellationToken, bool allowNew = true)
    {
        if (!MachineNames.IsValid(node))
        {
            throw new FleetRequestException($"machine name '{node}' {MachineNames.Rule}");
        }

        var known = await reads.NodeListAsync(cancellationToken);
        if ((known.Count > 0 || !allowNew) && known.All(n => n.Name != node))
        {
            throw new FleetRequestException(
                known.Count == 0
                    ? $"unknown machine '{node}': no machine has joined the fleet yet"
                    : $"unknown machine '{node}'; known machines: {string.Join(", ", known.Select(n => n.Name))}");
        }
    }

    private static void CheckCount(string type, int count)
    {
        if (string.IsNullOrWhiteSpace(type))
        {
            throw new FleetRequestException("name the type");
        }

        if (count is < 0 or > MaxTarget)
        {
            throw new FleetRequestException($"the count of {type} must be from 0 to {MaxTarget}");
        }
    }
}

/// <summary>An operator's request the fleet refuses, with why.</summary>
public sealed class FleetRequestException(string message) : Exception(message);
