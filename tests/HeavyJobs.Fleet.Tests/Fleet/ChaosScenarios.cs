using HeavyJobs.TestSupport.Chaos;

namespace HeavyJobs.Fleet.Tests.Fleet;

/// <summary>
/// The chaos runner's short run, once per store: a 3-machine fleet with 2 managers burns jobs whose answer is known
/// in closed form while a seeded plan SIGKILLs workers, monitors, managers and a whole machine, freezes workers and
/// a machine past its lease, restarts what it killed and (PostgreSQL) the database. No item may be lost, doubled
/// or written by a fenced holder, no chunk quarantined, every job finished. The long run is scripts/chaos.sh.
/// One class per store: xUnit runs a class's tests one after another, and these two are the assembly's longest.
/// </summary>
internal static class ShortChaos
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static ChaosOptions Options(string store) => new()
    {
        Store = store,
        Duration = TimeSpan.FromSeconds(30),
        Kills = 16,
        Seed = 16,
        // Small jobs, so the run ends soon after its faults; two at a time, so there is always work to lose.
        ChunksPerJob = 24,
        FinishWithin = TimeSpan.FromMinutes(3),
        Log = line => TestContext.Current.TestOutputHelper?.WriteLine(line),
    };

    public static void AssertPassed(ChaosReport report)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(report.Format());
        Assert.True(report.Passed, report.Format() + "\n" + report.LogTail);
        // The plan did what it says: kills of every kind, a whole machine, freezes.
        Assert.True(report.Kills >= 12, report.Format());
        Assert.True(report.Faults.GetValueOrDefault(FaultKind.KillMachine) >= 1, report.Format());
        Assert.True(report.Faults.GetValueOrDefault(FaultKind.FreezeMachine) >= 1, report.Format());
        Assert.Equal(0, report.Lost);
        Assert.Equal(0, report.Duplicated);
        Assert.Equal(0, report.StaleWrites);
    }
}

/// <summary>The short chaos run on one SQLite file (<see cref="ShortChaos"/>).</summary>
public sealed class SqliteChaosScenarios
{
    [Fact]
    public async Task ShortChaosOnSqlite_LosesDoublesAndStaleWritesNothing_AndEveryJobFinishes()
    {
        var report = await ChaosRun.RunAsync(ShortChaos.Options("sqlite"), ShortChaos.Ct);
        ShortChaos.AssertPassed(report);
    }
}

/// <summary>The short chaos run on a private PostgreSQL cluster that the plan restarts once (<see cref="ShortChaos"/>).</summary>
public sealed class PostgresChaosScenarios
{
    [Fact]
    public async Task ShortChaosOnPostgres_WithADatabaseRestart_LosesDoublesAndStaleWritesNothing_AndEveryJobFinishes()
    {
        using var cluster = await PrivateCluster.Chaos.TakeAsync(ShortChaos.Ct);
        var options = ShortChaos.Options("postgres") with { Postgres = await PrivateCluster.Chaos.EnsureAsync(ShortChaos.Ct), RestartDatabase = PrivateCluster.Chaos.RestartAsync, DatabaseRestarts = 1 };
        var report = await ChaosRun.RunAsync(options, ShortChaos.Ct);
        ShortChaos.AssertPassed(report);
        Assert.Equal(1, report.Faults.GetValueOrDefault(FaultKind.RestartDatabase));
    }
}
