using HeavyJobs.Storage;
using HeavyJobs.Storage.Postgres;
using HeavyJobs.Storage.Sqlite;

namespace HeavyJobs.Cli;

/// <summary>--db is a SQLite file path, or a PostgreSQL connection string (Host=…;Database=…).</summary>
public static class StoreFactory
{
    public const string EnvironmentVariable = "HEAVYJOBS_DB";

    public const string DefaultPath = "heavyjobs.db";

    public static bool IsPostgres(string db) =>
        db.Contains("Host=", StringComparison.OrdinalIgnoreCase) || db.Contains("Server=", StringComparison.OrdinalIgnoreCase);

    public static IHeavyStore Open(string db, TimeProvider time) =>
        IsPostgres(db) ? new PostgresStore(db, time) : new SqliteStore(db, time: time);

    /// <summary>What to show of the store in messages: never a password.</summary>
    public static string Describe(string db) =>
        IsPostgres(db)
            ? "PostgreSQL " + string.Join(";", db.Split(';').Where(p => !p.TrimStart().StartsWith("Password", StringComparison.OrdinalIgnoreCase)))
            : "SQLite " + Path.GetFullPath(db);
}
