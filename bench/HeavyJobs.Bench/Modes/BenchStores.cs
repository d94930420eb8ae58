using HeavyJobs.Storage;
using HeavyJobs.Storage.Postgres;
using HeavyJobs.Storage.Sqlite;

namespace HeavyJobs.Bench.Modes;

internal static class BenchStores
{
    public static bool IsPostgres(string db) => db.Contains("Host=", StringComparison.OrdinalIgnoreCase);

    /// <param name="synchronous">SQLite's synchronous setting (FULL, the store's default, or NORMAL).</param>
    public static IHeavyStore Open(string db, string synchronous = "FULL") =>
        IsPostgres(db) ? new PostgresStore(db) : new SqliteStore(db, new SqliteStoreOptions { Synchronous = synchronous });
}
