using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Actions;

namespace HeavyJobs.Fleet.Tests.Fleet;

/// <summary>
/// The manager spreads the fleet's worker counts over its machines (<see cref="FleetRun"/>, real processes): a
/// class of its own, so that xUnit runs it beside <see cref="FleetScenarios"/>' other tests, not after them.
/// </summary>
public sealed class FleetScaleScenarios
{
    private static readonly TimeSpan Within = TimeSpan.FromMinutes(3);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Scale_OverTheFleet_SpreadsByMachine_RespreadsWhenOneDies_OverridesWin_DrainEmptiesAndUndrainFills()
    {
        await using var fleet = await FleetRun.CreateAsync("postgres", Ct);
        // Twenty seconds of silence, not the default six: on this shared two-core box a live monitor can be kept
        // off the CPU that long, and the test counts exactly one machine death (the default's time to notice
        // is the bench's `recovery.machine_seconds`).
        fleet.Environment["HeavyJobs__Manager__MissedBeats"] = "10";
        var (a, b, c) = (fleet.Machine(0), fleet.Machine(1), fleet.Machine(2));
        fleet.StartManager();
        foreach (var m in new[] { a, b, c })
        {
            fleet.StartMachine(m);
        }

        Assert.True(await MonitorRun.UntilAsync(async () => (await fleet.Store.NodeListAsync(Ct)).Count == 3, Within, Ct), fleet.Log);
        Assert.Equal(0, (await fleet.CliAsync(Ct, "workers", "scale", "test.quick=9", "--fleet")).Exit);
        await FleetScenarios.ConvergesAsync(fleet, (a, 3), (b, 3), (c, 3));

        // Machine c dies whole: its share goes to the two left.
        await fleet.KillMachineAsync(c);
        await FleetScenarios.ConvergesAsync(fleet, (a, 5), (b, 4));
        Assert.True(await MonitorRun.UntilAsync(async () => (await FleetScenarios.Workers(fleet, c)).All(w => w.State == WorkerState.Lost), Within, Ct), fleet.Log);
        Assert.Single(await FleetScenarios.Actions(fleet, ActionKinds.MachineDead));

        // It comes back after a reboot (a new boot id) and takes its share again.
        fleet.StartMachine(c, reboot: true);
        await FleetScenarios.ConvergesAsync(fleet, (a, 3), (b, 3), (c, 3));
        Assert.Single(await FleetScenarios.Actions(fleet, ActionKinds.MachineRebooted));
        Assert.Single(await FleetScenarios.Actions(fleet, ActionKinds.MachineRejoined));

        // An operator's count for one machine wins; the fleet's rest is spread over the others.
        Assert.Equal(0, (await fleet.CliAsync(Ct, "workers", "scale", "test.quick=1", "--node", a)).Exit);
        await FleetScenarios.ConvergesAsync(fleet, (a, 1), (b, 4), (c, 4));

        // Drain empties a machine and hands its share on; undrain fills it again.
        Assert.Equal(0, (await fleet.CliAsync(Ct, "workers", "drain", "--node", b)).Exit);
        await FleetScenarios.ConvergesAsync(fleet, (a, 1), (b, 0), (c, 8));
        Assert.Equal(0, (await fleet.CliAsync(Ct, "workers", "undrain", "--node", b)).Exit);
        await FleetScenarios.ConvergesAsync(fleet, (a, 1), (b, 4), (c, 4));

        var ps = (await fleet.CliAsync(Ct, "workers", "ps")).Out;
        Assert.Contains(a, ps, StringComparison.Ordinal);
        var kinds = (await fleet.Store.ActionListAsync(new ActionListParams(1000), Ct)).Select(x => x.Kind).ToList();
        Assert.Contains(ActionKinds.Spread, kinds);
        Assert.Contains(ActionKinds.MachineDrain, kinds);
        Assert.Contains(ActionKinds.MachineUndrain, kinds);
    }
}
