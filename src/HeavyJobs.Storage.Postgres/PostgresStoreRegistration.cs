using HeavyJobs.Storage.Hosting;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Storage.Postgres;

/// <summary>How a host opens PostgreSQL: <c>AddHeavyJobs(o => o.UsePostgres(connectionString))</c>, or kind "postgres" in configuration.</summary>
public static class PostgresStoreRegistration
{
    public const string Kind = "postgres";

    /// <summary>Lets configuration choose PostgreSQL (<c>HeavyJobs:Store:Kind = postgres</c>).</summary>
    public static StoreOptions AddPostgres(this StoreOptions options) =>
        options.AddProvider(Kind, static (connectionString, time, logging) => new PostgresStore(connectionString, time) { Logger = logging.CreateLogger<PostgresStore>() });

    /// <summary>Uses the PostgreSQL database the connection string names (Host=…;Username=…;Database=…).</summary>
    public static StoreOptions UsePostgres(this StoreOptions options, string connectionString)
    {
        options.AddPostgres();
        options.Kind = Kind;
        options.Connection = connectionString;
        return options;
    }
}
