using HeavyJobs.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
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

    /// <summary>Opens the store <paramref name="db"/> names; what it retries in the background goes to <paramref name="logger"/>.</summary>
    public static IHeavyStore Open(string db, TimeProvider time, ILogger? logger = null)
    {
        logger ??= NullLogger.Instance;
        return IsPostgres(db) ? new PostgresStore(db, time) { Logger = logger } : new SqliteStore(db, time: time) { Logger = logger };
    }

    /// <summary>
    /// What to show of the store in messages: never a secret. The connection string is parsed by its own driver's
    /// builder, so every spelling of a password (Password, Pwd, PSW, any case or spacing) is found, and one that
    /// cannot be parsed is not shown at all.
    /// </summary>
    public static string Describe(string db) =>
        IsPostgres(db) ? "PostgreSQL " + RedactPostgres(db) : "SQLite " + RedactSqlite(db);

    private static string RedactPostgres(string db)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(db) { Password = null, SslPassword = null };
            return builder.ConnectionString;
        }
        catch (ArgumentException)
        {
            return "(connection string not shown: it could not be read)";
        }
    }

    private static string RedactSqlite(string db)
    {
        if (!db.Contains('=', StringComparison.Ordinal))
        {
            return Path.GetFullPath(db);
        }

        try
        {
            var builder = new SqliteConnectionStringBuilder(db) { Password = "" };
            builder.Remove("Password");
            return builder.ConnectionString;
        }
        catch (ArgumentException)
        {
            return "(connection string not shown: it could not be read)";
        }
    }
}
