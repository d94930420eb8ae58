using HeavyJobs.TestSupport.Chaos;

namespace HeavyJobs.Fleet.Tests.Fleet;

/// <summary>
/// The chaos runner's short run, once per store: a 3-machine fleet with 2 managers burns jobs whose answer is known
/// in closed form while a seeded plan SIGKILLs workers, monitors, managers and a whole machine, freezes workers and
/// a machine past its lease, restarts what it killed and (PostgreSQL) the database. No item may be lost, doubled
/// or written by a fenced holder, no chunk quarantined, every job finished. The long run is scripts/chaos.sh.
/// </summary>
public sealed class ChaosScenarios
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ShortChaosOnSqlite_LosesDoublesAndStaleWritesNothing_AndEveryJobFinishes()
    {
        var report = await ChaosRun.RunAsync(Short("sqlite"), Ct);
        AssertPassed(report);
    }

    [Fact]
    public async Task ShortChaosOnPostgres_WithADatabaseRestart_LosesDoublesAndStaleWritesNothing_AndEveryJobFinishes()
    {
        using var cluster = await PrivateCluster.Chaos.TakeAsync(Ct);
        var options = Short("postgres") with { Postgres = await PrivateCluster.Chaos.EnsureAsync(Ct), RestartDatabase = PrivateCluster.Chaos.RestartAsync, DatabaseRestarts = 1 };
        var report = await ChaosRun.RunAsync(options, Ct);
        AssertPassed(report);
        Assert.Equal(1, report.Faults.GetValueOrDefault(FaultKind.RestartDatabase));
    }

    private static ChaosOptions Short(string store) => new()
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

    private static void AssertPassed(ChaosReport report)
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
