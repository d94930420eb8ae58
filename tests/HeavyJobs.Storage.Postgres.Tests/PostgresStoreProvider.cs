using HeavyJobs.Storage.Conformance;
using HeavyJobs.Storage.Conformance.Faults;
using HeavyJobs.Storage.Postgres;
using Npgsql;

namespace HeavyJobs.Storage.Postgres.Tests;

/// <summary>
/// Each test gets its own schema in the test database named by HEAVYJOBS_TEST_POSTGRES (the test command
/// starts the server and creates it). There is no skipping: without a server these tests fail. With an injector,
/// every store made meets its faults.
/// </summary>
public sealed class PostgresStoreProvider(FaultInjector? faults = null) : IStoreProvider
{
    public const string DefaultConnectionString = "Host=127.0.0.1;Port=5432;Username=heavyjobs;Password=heavyjobs;Database=heavyjobs_test";

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("HEAVYJOBS_TEST_POSTGRES") is { Length: > 0 } s ? s : DefaultConnectionString;

    public static string NewSchemaConnectionString(out string schema)
    {
        schema = $"t_{Guid.NewGuid():N}";
        return new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = schema }.ToString();
    }

    public Task<IHeavyStore> CreateAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IHeavyStore>(Open(NewSchemaConnectionString(out _)));

    public IHeavyStore OpenAnother(IHeavyStore store) => Open(((PostgresStore)store).ConnectionString);

    private PostgresStore Open(string connectionString) => faults is null
        ? new PostgresStore(connectionString)
        : new PostgresStore(connectionString) { Faults = faults, Retry = PostgresFaults.QuickRetry };

    public async Task DropAsync(IHeavyStore store, CancellationToken cancellationToken)
    {
        var schema = new NpgsqlConnectionStringBuilder(((PostgresStore)store).ConnectionString).SearchPath;
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        await using var command = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task ExecuteSqlAsync(IHeavyStore store, string sql, CancellationToken cancellationToken)
    {
        await using var command = ((PostgresStore)store).DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
