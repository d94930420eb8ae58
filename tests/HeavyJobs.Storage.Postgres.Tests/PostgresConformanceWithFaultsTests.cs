using HeavyJobs.Storage.Conformance;
using HeavyJobs.Storage.Conformance.Faults;

namespace HeavyJobs.Storage.Postgres.Tests;

// The whole conformance suite again, every call of every store meeting random passing faults (serialization failures, deadlocks, timeouts, too many connections, lost connections) below
// the store's retry: each rule must hold as it does without them.
public sealed class PostgresClaimWithFaultsTests() : ClaimConformance(PostgresFaultRun.Provider());

public sealed class PostgresCheckpointWithFaultsTests() : CheckpointConformance(PostgresFaultRun.Provider());

public sealed class PostgresLeaseWithFaultsTests() : LeaseConformance(PostgresFaultRun.Provider());

public sealed class PostgresFailureWithFaultsTests() : FailureConformance(PostgresFaultRun.Provider());

public sealed class PostgresOperatorWithFaultsTests() : OperatorConformance(PostgresFaultRun.Provider());

public sealed class PostgresRecordsWithFaultsTests() : RecordsConformance(PostgresFaultRun.Provider());

public sealed class PostgresDashboardWithFaultsTests() : DashboardConformance(PostgresFaultRun.Provider());

public sealed class PostgresChangeWatcherWithFaultsTests() : ChangeWatcherConformance(PostgresFaultRun.Provider());

public sealed class PostgresPipelineWithFaultsTests() : PipelineConformance(PostgresFaultRun.Provider());

public sealed class PostgresChunkListWithFaultsTests() : ChunkListConformance(PostgresFaultRun.Provider());

public sealed class PostgresRefreshWithFaultsTests() : RefreshConformance(PostgresFaultRun.Provider());

public sealed class PostgresFaultTests : FaultConformance
{
    public PostgresFaultTests()
        : this(PostgresFaults.Injector(probability: 0))
    {
    }

    private PostgresFaultTests(FaultInjector faults)
        : base(new PostgresStoreProvider(faults), faults)
    {
    }
}

internal static class PostgresFaultRun
{
    /// <summary>The chance of a fault at each strike point of each attempt: about one write in three is retried.</summary>
    public const double Probability = 0.15;

    public static PostgresStoreProvider Provider() => new(PostgresFaults.Injector(Probability));
}
