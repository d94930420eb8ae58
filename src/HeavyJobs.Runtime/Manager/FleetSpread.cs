using HeavyJobs.Storage.Fleet;
using HeavyJobs.Storage.Monitoring;
using HeavyJobs.Storage.Nodes;

namespace HeavyJobs.Runtime.Manager;

/// <summary>
/// How a fleet-wide count of a type is spread over machines: a machine an operator pinned keeps its own count,
/// and that count is part of the fleet's; the rest goes to the machines that are up and not drained, in
/// proportion to their capacity (largest remainders first, ties by name, so the spread is the same on every
/// pass). Dead and drained machines get none.
/// </summary>
public static class FleetSpread
{
    public static IReadOnlyList<SpreadTarget> Compute(IReadOnlyList<FleetTargetRow> fleet, IReadOnlyList<NodeRow> nodes, IReadOnlyList<WorkerTargetRow> machineTargets)
    {
        var result = new List<SpreadTarget>();
        var eligible = nodes.Where(n => n.State == NodeStates.Up && !n.Drained).OrderBy(n => n.Name, StringComparer.Ordinal).ToList();
        foreach (var target in fleet)
        {
            var pinned = machineTargets.Where(t => t.Type == target.Type && t.Pinned).ToDictionary(t => t.Node, t => t.Count);
            var shared = eligible.Where(n => !pinned.ContainsKey(n.Name)).ToList();
            var left = Math.Max(0, target.Count - eligible.Where(n => pinned.ContainsKey(n.Name)).Sum(n => pinned[n.Name]));
            var shares = Shares(left, shared.Select(n => Math.Max(1, n.Capacity)).ToList());
            for (var i = 0; i < shared.Count; i++)
            {
                result.Add(new SpreadTarget(shared[i].Name, target.Type, shares[i]));
            }

            // Machines that cannot take work keep no share: when they return, the next spread gives them one.
            foreach (var n in nodes.Where(n => !eligible.Contains(n) && !pinned.ContainsKey(n.Name)))
            {
                result.Add(new SpreadTarget(n.Name, target.Type, 0));
            }
        }

        return result;
    }

    /// <summary>Splits <paramref name="total"/> in proportion to <paramref name="weights"/>, by largest remainder.</summary>
    public static int[] Shares(int total, IReadOnlyList<int> weights)
    {
        var shares = new int[weights.Count];
        var sum = weights.Sum(w => (long)w);
        if (sum == 0 || total == 0)
        {
            return shares;
        }

        var remainders = new (long Remainder, int Index)[weights.Count];
        var given = 0;
        for (var i = 0; i < weights.Count; i++)
        {
            var exact = (long)total * weights[i];
            shares[i] = (int)(exact / sum);
            given += shares[i];
            remainders[i] = (exact % sum, i);
        }

        foreach (var (_, index) in remainders.OrderByDescending(r => r.Remainder).ThenBy(r => r.Index).Take(total - given))
        {
            shares[index]++;
        }

        return shares;
    }
}
