using HeavyJobs.Storage.Hosting;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Storage.Sqlite;

/// <summary>How a host opens SQLite: <c>AddHeavyJobs(o => o.UseSqlite("jobs.db"))</c>, or kind "sqlite" in configuration.</summary>
public static class SqliteStoreRegistration
{
    public const string Kind = "sqlite";

    /// <summary>Lets configuration choose SQLite (<c>HeavyJobs:Store:Kind = sqlite</c>).</summary>
    public static StoreOptions AddSqlite(this StoreOptions options) =>
        options.AddProvider(Kind, static (path, time, logging) => new SqliteStore(path, time: time) { Logger = logging.CreateLogger<SqliteStore>() });

    /// <summary>Uses the SQLite file at <paramref name="path"/> (relative to the working directory), made if missing.</summary>
    public static StoreOptions UseSqlite(this StoreOptions options, string path)
    {
        options.AddSqlite();
        options.Kind = Kind;
        options.Connection = Path.GetFullPath(path);
        return options;
    }
}
