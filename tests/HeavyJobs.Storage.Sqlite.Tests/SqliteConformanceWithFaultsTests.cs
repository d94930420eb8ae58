using HeavyJobs.Storage.Conformance;
using HeavyJobs.Storage.Conformance.Faults;

namespace HeavyJobs.Storage.Sqlite.Tests;

// The whole conformance suite again, every call of every store meeting random passing faults (busy, locked) below
// the store's retry: each rule must hold as it does without them.
public sealed class SqliteClaimWithFaultsTests() : ClaimConformance(SqliteFaultRun.Provider());

public sealed class SqliteCheckpointWithFaultsTests() : CheckpointConformance(SqliteFaultRun.Provider());

public sealed class SqliteLeaseWithFaultsTests() : LeaseConformance(SqliteFaultRun.Provider());

public sealed class SqliteFailureWithFaultsTests() : FailureConformance(SqliteFaultRun.Provider());

public sealed class SqliteOperatorWithFaultsTests() : OperatorConformance(SqliteFaultRun.Provider());

public sealed class SqliteRecordsWithFaultsTests() : RecordsConformance(SqliteFaultRun.Provider());

public sealed class SqliteDashboardWithFaultsTests() : DashboardConformance(SqliteFaultRun.Provider());

public sealed class SqliteChangeWatcherWithFaultsTests() : ChangeWatcherConformance(SqliteFaultRun.Provider());

public sealed class SqlitePipelineWithFaultsTests() : PipelineConformance(SqliteFaultRun.Provider());

public sealed class SqliteChunkListWithFaultsTests() : ChunkListConformance(SqliteFaultRun.Provider());

public sealed class SqliteRefreshWithFaultsTests() : RefreshConformance(SqliteFaultRun.Provider());

public sealed class SqliteFaultTests : FaultConformance
{
    public SqliteFaultTests()
        : this(SqliteFaults.Injector(probability: 0))
    {
    }

    private SqliteFaultTests(FaultInjector faults)
        : base(new SqliteStoreProvider(faults), faults)
    {
    }
}

internal static class SqliteFaultRun
{
    /// <summary>The chance of a fault at each strike point of each attempt: about one write in three is retried.</summary>
    public const double Probability = 0.15;

    public static SqliteStoreProvider Provider() => new(SqliteFaults.Injector(Probability));
}
