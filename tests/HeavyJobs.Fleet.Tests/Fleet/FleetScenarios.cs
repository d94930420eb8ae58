using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using HeavyJobs.Core.Model;
using HeavyJobs.Runtime.Manager;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Schedules;
using HeavyJobs.Storage.Workers;

namespace HeavyJobs.Fleet.Tests.Fleet;

/// <summary>
/// A fleet on one box (<see cref="FleetRun"/>): several machines' monitors and several managers, real processes on
/// one PostgreSQL database, killed and frozen with real signals.
/// </summary>
public sealed class FleetScenarios
{
    private static readonly TimeSpan Within = TimeSpan.FromMinutes(3);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Managers_ExactlyOneLeads_AKilledLeaderIsReplacedWithin10s_AFrozenOneStandsDown_SchedulesFireOncePerDueTime()
    {
        await using var fleet = await FleetRun.CreateAsync("postgres", Ct);
        fleet.Environment["HeavyJobs__Manager__LeaderLockIdle"] = "00:00:03";
        // A schedule due every minute, and overdue now: whoever leads fires each due time once.
        const string job = """{ "name": "every minute", "type": "test.quick", "split": { "inputs": [1] } }""";
        var schedule = await ScheduleRunner.UpsertAsync(fleet.Store, "every-minute", "* * * * *", job, "once", DateTimeOffset.UtcNow, Ct);
        await fleet.Store.ScheduleAdvanceAsync(new ScheduleAdvanceParams(schedule, DateTimeOffset.UtcNow.AddMinutes(-1), null, null), Ct);

        for (var i = 0; i < 3; i++)
        {
            fleet.StartManager();
        }

        Assert.True(await MonitorRun.UntilAsync(async () => (await Actions(fleet, ActionKinds.ManagerStart)).Count == 3 && (await Actions(fleet, ActionKinds.Lead)).Count >= 1, Within, Ct), fleet.Log);
        // All three are up; still exactly one leads.
        Assert.Single(await Actions(fleet, ActionKinds.Lead));
        // The overdue run is fired (and logged) before the leader is killed.
        Assert.True(await MonitorRun.UntilAsync(async () => (await Actions(fleet, ActionKinds.ScheduleRun)).Count == 1, Within, Ct), fleet.Log);
        var first = await LeaderPidAsync(fleet);
        Assert.Contains(fleet.Managers, m => m.Id == first);

        MonitorRun.Signal(first, "KILL");
        var killed = Stopwatch.StartNew();
        Assert.True(await MonitorRun.UntilAsync(async () => (await Actions(fleet, ActionKinds.Lead)).Count == 2, TimeSpan.FromSeconds(10), Ct), fleet.Log);
        var takeover = killed.Elapsed;
        var second = await LeaderPidAsync(fleet);
        Assert.NotEqual(first, second);

        // Frozen past its lock: the database ends its idle session, a standby leads; thawed, it stands down.
        MonitorRun.Signal(second, "STOP");
        Assert.True(await MonitorRun.UntilAsync(async () => (await Actions(fleet, ActionKinds.Lead)).Count == 3, Within, Ct), fleet.Log);
        var third = await LeaderPidAsync(fleet);
        MonitorRun.Signal(second, "CONT");
        Assert.True(
            await MonitorRun.UntilAsync(async () => (await Actions(fleet, ActionKinds.LeadLost)).Any(a => a.Reason.Contains($"pid {second} ", StringComparison.Ordinal)), Within, Ct),
            fleet.Log);
        Assert.Equal(third, await LeaderPidAsync(fleet));
        Assert.Equal(3, (await fleet.Store.LeaderGetAsync(Ct)).Epoch);
        Assert.Equal(3, (await Actions(fleet, ActionKinds.Lead)).Count);

        // One job per due time, whatever led when it fell due.
        var runs = await Actions(fleet, ActionKinds.ScheduleRun);
        var dues = runs.Select(r => r.Reason[(r.Reason.IndexOf("(due ", StringComparison.Ordinal) + 5)..r.Reason.IndexOf(')', StringComparison.Ordinal)]).ToList();
        Assert.True(runs.Count > 0, fleet.Log);
        Assert.Equal(dues.Count, dues.Distinct().Count());
        Assert.Equal(runs.Count, (await fleet.Store.JobListAsync(new Storage.Jobs.JobListParams(100), Ct)).Count(j => j.Job.Name == "every minute"));
        TestContext.Current.TestOutputHelper?.WriteLine($"takeover after SIGKILL of the leader: {takeover.TotalSeconds:0.00} s; {runs.Count} scheduled runs, one per due time");
    }

    [Fact]
    public async Task ALeaderFrozenPastItsRenewals_StillHoldingItsLock_KeepsTheLead()
    {
        // On SQLite the lock is a file the kernel keeps for a frozen process, so nobody else can lead meanwhile;
        // a manager starved of CPU for a few seconds (a loaded machine) used to stand down and take the lead again
        // under a new epoch, logging a lost lead that never was.
        await using var fleet = await FleetRun.CreateAsync("sqlite", Ct);
        fleet.Environment["HeavyJobs__Manager__LeaderLockIdle"] = "00:00:03";
        var manager = fleet.StartManager();
        Assert.True(await MonitorRun.UntilAsync(async () => (await Actions(fleet, ActionKinds.Lead)).Count == 1, Within, Ct), fleet.Log);

        MonitorRun.Signal(manager.Id, "STOP");
        await Task.Delay(TimeSpan.FromSeconds(6), Ct);
        MonitorRun.Signal(manager.Id, "CONT");
        // Thawed, it renews late: either it finds its lock still held, or (the defect) it stands down.
        Assert.True(await MonitorRun.UntilAsync(() => Task.FromResult(fleet.Log.Contains("the lock is still held", StringComparison.Ordinal) || fleet.Log.Contains("lost the lead", StringComparison.Ordinal)), Within, Ct), fleet.Log);

        Assert.Empty(await Actions(fleet, ActionKinds.LeadLost));
        Assert.Single(await Actions(fleet, ActionKinds.Lead));
        Assert.Equal(1, (await fleet.Store.LeaderGetAsync(Ct)).Epoch);
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task AMachineSilentPastItsMissedBeats_WhoseSessionLives_IsNotDeclaredDead_AKilledOneStillIs(string store)
    {
        // Default settings: 2 s beats, dead after 3 missed. A machine kept off the CPU (here frozen whole) for twice
        // that still holds its name (PostgreSQL: its session's lock; SQLite: its lock file, held by its live
        // process); a machine killed whole loses it with its processes.
        await using var fleet = await FleetRun.CreateAsync(store, Ct);
        var (a, b) = (fleet.Machine(0), fleet.Machine(1));
        fleet.StartManager();
        fleet.StartMachine(a);
        fleet.StartMachine(b);
        Assert.True(await MonitorRun.UntilAsync(async () => (await fleet.Store.NodeListAsync(Ct)).Count == 2 && (await Actions(fleet, ActionKinds.Lead)).Count == 1, Within, Ct), fleet.Log);

        await fleet.SignalMachineAsync(a, "STOP");
        await Task.Delay(TimeSpan.FromSeconds(12), Ct);
        var thawed = DateTimeOffset.UtcNow;
        await fleet.SignalMachineAsync(a, "CONT");
        await fleet.KillMachineAsync(b);

        // b's death is logged after a's silence: had a's counted, it would be in the log before b's.
        Assert.True(await MonitorRun.UntilAsync(async () => (await Actions(fleet, ActionKinds.MachineDead)).Count >= 1, Within, Ct), fleet.Log);
        Assert.True(await MonitorRun.UntilAsync(async () => (await fleet.Store.NodeListAsync(Ct)).Single(n => n.Name == a).HeartbeatAt > thawed, Within, Ct), fleet.Log);
        var dead = await Actions(fleet, ActionKinds.MachineDead);
        Assert.Equal([b], dead.Select(d => d.Node));
        Assert.DoesNotContain(await Workers(fleet, a), w => w.State == WorkerState.Lost);
    }

    [Fact]
    public async Task Monitor_WithATakenMachineName_RefusesToStart_AndScaleRefusesAnUnknownMachine()
    {
        await using var fleet = await FleetRun.CreateAsync("postgres", Ct);
        var a = fleet.Machine(0);
        fleet.StartMachine(a);
        Assert.True(await MonitorRun.UntilAsync(async () => (await Actions(fleet, ActionKinds.MonitorStart)).Count == 1, Within, Ct), fleet.Log);

        // Refused at once; a monitor that starts instead would run until killed.
        var (exit, output) = await fleet.CliAsync(TimeSpan.FromMinutes(2), Ct, "monitor", "--node", a);

        Assert.Equal(3, exit);
        Assert.Contains($"machine name '{a}' is taken: monitor pid {fleet.MonitorOf(a).Id} on host", output, StringComparison.Ordinal);
        Assert.Single(await Actions(fleet, ActionKinds.MonitorStart));
        Assert.False(fleet.MonitorOf(a).HasExited);

        var typo = await fleet.CliAsync(Ct, "workers", "scale", "test.quick=1", "--node", a + "x");
        Assert.Equal(2, typo.Exit);
        Assert.Contains($"unknown machine '{a}x'; known machines: {a}", typo.Out, StringComparison.Ordinal);
        Assert.Empty(await fleet.Store.WorkerTargetListAsync(a + "x", Ct));
    }

    internal static async Task<IReadOnlyList<ActionRow>> Actions(FleetRun fleet, string kind) =>
        await fleet.Store.ActionListAsync(new ActionListParams(1000, Kind: kind), Ct);

    internal static async Task<IReadOnlyList<WorkerRow>> Workers(FleetRun fleet, string node) =>
        await fleet.Store.WorkerListAsync(new WorkerListParams(node), Ct);

    /// <summary>
    /// Waits until each machine runs exactly the given number of live workers, then checks that <c>workers ps</c>
    /// shows the same.
    /// </summary>
    internal static async Task ConvergesAsync(FleetRun fleet, params (string Node, int Count)[] expected)
    {
        static Dictionary<string, int> Live(IEnumerable<(string Node, string State)> workers) =>
            workers.Where(w => w.State is "idle" or "busy" or "starting").GroupBy(w => w.Node).ToDictionary(g => g.Key, g => g.Count());
        bool Matches(Dictionary<string, int> live) => expected.All(e => live.GetValueOrDefault(e.Node) == e.Count);
        var last = new Dictionary<string, int>();
        var converged = await MonitorRun.UntilAsync(
            async () => Matches(last = Live((await fleet.Store.WorkerListAsync(new WorkerListParams(), Ct)).Select(w => (w.Node, w.State.ToDb())))),
            Within,
            Ct);
        Assert.True(converged, $"expected {string.Join(", ", expected.Select(e => $"{e.Node}={e.Count}"))}, last seen {string.Join(", ", last.Select(kv => $"{kv.Key}={kv.Value}"))}\n{fleet.Log}");
        var (_, json) = await fleet.CliAsync(Ct, "workers", "ps", "--json");
        using var doc = JsonDocument.Parse(json);
        var shown = Live(doc.RootElement.GetProperty("workers").EnumerateArray().Select(w => (w.GetProperty("node").GetString()!, w.GetProperty("state").GetString()!)));
        Assert.True(Matches(shown), json);
    }

    private static async Task<int> LeaderPidAsync(FleetRun fleet)
    {
        var holder = (await fleet.Store.LeaderGetAsync(Ct)).Holder;
        return int.Parse(holder[(holder.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }
}
