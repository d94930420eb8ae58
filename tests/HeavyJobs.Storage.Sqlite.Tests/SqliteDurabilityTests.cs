using System.Data.Common;

namespace HeavyJobs.Storage.Sqlite.Tests;

/// <summary>
/// What makes a SQLite commit survive a power loss (docs/guarantees.md, section 7): the file in WAL mode and
/// every connection the store writes through at synchronous FULL unless told otherwise. The setting is per
/// connection and invisible from any other, so the store's own connection is read.
/// </summary>
public sealed class SqliteDurabilityTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "heavyjobs-tests", Guid.NewGuid().ToString("N"));

    public SqliteDurabilityTests() => Directory.CreateDirectory(_dir);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ByDefault_TheStoresConnectionsWriteAWalFile_WithSynchronousFull()
    {
        await using var store = new SqliteStore(Path.Combine(_dir, "store.db"));
        await store.MigrateAsync(Ct);

        var (synchronous, journal) = await PragmasAsync(store);

        // 2 is FULL: the log is synced at every commit, not only at checkpoints (NORMAL, 1).
        Assert.Equal((2L, "wal"), (synchronous, journal));
    }

    [Fact]
    public async Task Normal_WhenAskedFor_IsWhatTheConnectionsGet()
    {
        await using var store = new SqliteStore(Path.Combine(_dir, "store.db"), new SqliteStoreOptions { Synchronous = "NORMAL" });
        await store.MigrateAsync(Ct);

        Assert.Equal((1L, "wal"), await PragmasAsync(store));
    }

    private static async Task<(long Synchronous, string Journal)> PragmasAsync(SqliteStore store)
    {
        // The connection every store call writes through, opened as the store opens it.
        await using var connection = await store.OpenConnectionAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous";
        var synchronous = (long)(await command.ExecuteScalarAsync(Ct))!;
        command.CommandText = "PRAGMA journal_mode";
        var journal = (string)(await command.ExecuteScalarAsync(Ct))!;
        return (synchronous, journal);
    }
}
