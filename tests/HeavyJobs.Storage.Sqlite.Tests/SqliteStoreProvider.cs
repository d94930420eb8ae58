using HeavyJobs.Storage.Conformance;
using HeavyJobs.Storage.Conformance.Faults;
using HeavyJobs.Storage.Sqlite;

namespace HeavyJobs.Storage.Sqlite.Tests;

/// <summary>Each test gets its own database file in a temporary folder; with an injector, every store made meets its faults.</summary>
public sealed class SqliteStoreProvider(FaultInjector? faults = null) : IStoreProvider
{
    // Tests check the rules, not durability across power loss: NORMAL spares an fsync per commit.
    private static readonly SqliteStoreOptions Options = new() { Synchronous = "NORMAL" };

    public Task<IHeavyStore> CreateAsync(CancellationToken cancellationToken)
    {
        var dir = Path.Combine(Path.GetTempPath(), "heavyjobs-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return Task.FromResult<IHeavyStore>(Open(Path.Combine(dir, "store.db")));
    }

    public IHeavyStore OpenAnother(IHeavyStore store) => Open(((SqliteStore)store).Path);

    private SqliteStore Open(string path) => faults is null
        ? new SqliteStore(path, Options)
        : new SqliteStore(path, Options) { Faults = faults, Retry = SqliteFaults.QuickRetry };

    public Task DropAsync(IHeavyStore store, CancellationToken cancellationToken)
    {
        var dir = Path.GetDirectoryName(((SqliteStore)store).Path)!;
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
            // Another test's pool may still hold the file for a moment; the folder is under the temp path.
        }

        return Task.CompletedTask;
    }

    public async Task ExecuteSqlAsync(IHeavyStore store, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={((SqliteStore)store).Path}");
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
