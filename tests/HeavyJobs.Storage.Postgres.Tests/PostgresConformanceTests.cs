using HeavyJobs.Storage.Conformance;

namespace HeavyJobs.Storage.Postgres.Tests;

public sealed class PostgresMigrationTests() : MigrationConformance(new PostgresStoreProvider());

public sealed class PostgresClaimTests() : ClaimConformance(new PostgresStoreProvider());

public sealed class PostgresCheckpointTests() : CheckpointConformance(new PostgresStoreProvider());

public sealed class PostgresLeaseTests() : LeaseConformance(new PostgresStoreProvider());

public sealed class PostgresFailureTests() : FailureConformance(new PostgresStoreProvider());

public sealed class PostgresOperatorTests() : OperatorConformance(new PostgresStoreProvider());

public sealed class PostgresRecordsTests() : RecordsConformance(new PostgresStoreProvider());

public sealed class PostgresDashboardTests() : DashboardConformance(new PostgresStoreProvider());

public sealed class PostgresChangeWatcherTests() : ChangeWatcherConformance(new PostgresStoreProvider());
public sealed class PostgresPipelineTests() : PipelineConformance(new PostgresStoreProvider());

public sealed class PostgresChunkListTests() : ChunkListConformance(new PostgresStoreProvider());

public sealed class PostgresRefreshTests() : RefreshConformance(new PostgresStoreProvider());
public sealed class PostgresFleetTests() : FleetConformance(new PostgresStoreProvider());

public sealed class PostgresPruneTests() : PruneConformance(new PostgresStoreProvider());

public sealed class PostgresChunkHistoryTests() : ChunkHistoryConformance(new PostgresStoreProvider());
