using HeavyJobs.Storage.Conformance;

namespace HeavyJobs.Storage.Sqlite.Tests;

public sealed class SqliteMigrationTests() : MigrationConformance(new SqliteStoreProvider());

public sealed class SqliteClaimTests() : ClaimConformance(new SqliteStoreProvider());

public sealed class SqliteCheckpointTests() : CheckpointConformance(new SqliteStoreProvider());

public sealed class SqliteLeaseTests() : LeaseConformance(new SqliteStoreProvider());

public sealed class SqliteFailureTests() : FailureConformance(new SqliteStoreProvider());

public sealed class SqliteOperatorTests() : OperatorConformance(new SqliteStoreProvider());

public sealed class SqliteRecordsTests() : RecordsConformance(new SqliteStoreProvider());

public sealed class SqliteDashboardTests() : DashboardConformance(new SqliteStoreProvider());

public sealed class SqliteChangeWatcherTests() : ChangeWatcherConformance(new SqliteStoreProvider());
public sealed class SqlitePipelineTests() : PipelineConformance(new SqliteStoreProvider());

public sealed class SqliteChunkListTests() : ChunkListConformance(new SqliteStoreProvider());

public sealed class SqliteRefreshTests() : RefreshConformance(new SqliteStoreProvider());
public sealed class SqliteFleetTests() : FleetConformance(new SqliteStoreProvider());

public sealed class SqlitePruneTests() : PruneConformance(new SqliteStoreProvider());

public sealed class SqliteChunkHistoryTests() : ChunkHistoryConformance(new SqliteStoreProvider());
