using HeavyJobs.Runtime.Manager;
using HeavyJobs.Storage.Fleet;
using HeavyJobs.Storage.Monitoring;
using HeavyJobs.Storage.Nodes;

namespace HeavyJobs.Runtime.Tests.Manager;

public sealed class FleetSpreadTests
{
    private static readonly DateTimeOffset T = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Nine_OverThreeEqualMachines_IsThreeEach_AndOverTwo_FiveAndFour()
    {
        var fleet = new[] { new FleetTargetRow("f", 9, T) };
        Assert.Equal([3, 3, 3], Counts(FleetSpread.Compute(fleet, [Node("a"), Node("b"), Node("c")], []), "a", "b", "c"));
        Assert.Equal([5, 4, 0], Counts(FleetSpread.Compute(fleet, [Node("a"), Node("b"), Node("c", NodeStates.Dead)], []), "a", "b", "c"));
        Assert.Equal([0, 5, 4], Counts(FleetSpread.Compute(fleet, [Node("a", drained: true), Node("b"), Node("c")], []), "a", "b", "c"));
    }

    [Fact]
    public void Capacity_Weighs_AndAPinnedMachine_KeepsItsCount_OutOfTheFleets()
    {
        var fleet = new[] { new FleetTargetRow("f", 12, T) };
        Assert.Equal([8, 4], Counts(FleetSpread.Compute(fleet, [Node("a", capacity: 8), Node("b", capacity: 4)], []), "a", "b"));

        var pinned = new[] { new WorkerTargetRow("a", "f", 2, false, null, T, Pinned: true) };
        var spread = FleetSpread.Compute(fleet, [Node("a"), Node("b"), Node("c")], pinned);
        Assert.DoesNotContain(spread, s => s.Node == "a");
        Assert.Equal([5, 5], Counts(spread, "b", "c"));
    }

    [Fact]
    public void Shares_AlwaysAddUpToTheTotal()
    {
        for (var total = 0; total < 40; total++)
        {
            Assert.Equal(total, FleetSpread.Shares(total, [3, 1, 7, 2]).Sum());
        }

        Assert.Equal([0, 0], FleetSpread.Shares(5, [0, 0]));
    }

    private static int[] Counts(IReadOnlyList<SpreadTarget> spread, params string[] nodes) =>
        nodes.Select(n => spread.Single(s => s.Node == n).Count).ToArray();

    private static NodeRow Node(string name, string state = NodeStates.Up, bool drained = false, int capacity = 4) =>
        new(name, "boot", "1", capacity, T, T, state, drained);
}
