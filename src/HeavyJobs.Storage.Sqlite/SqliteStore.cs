using System.Data.Common;
using HeavyJobs.Storage.Changes;
using HeavyJobs.Storage.Fleet;
using HeavyJobs.Storage.Faults;
using HeavyJobs.Storage.Relational;
using Microsoft.Data.Sqlite;

namespace HeavyJobs.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode, shared by the processes of one machine. SQLite has one
/// writer at a time, so every write transaction starts IMMEDIATE and a claim is atomic without row locks.
/// </summary>
public sealed class SqliteStore : RelationalStore
{
    private static readonly IReadOnlyList<Migration> Migrations =
        LoadMigrations(typeof(SqliteStore).Assembly, "HeavyJobs.Storage.Sqlite.Migrations.");

    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteFull = 13;

    private readonly string _connectionString;
    private readonly SqliteStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly WriteTurns _turns;

    public SqliteStore(string path, SqliteStoreOptions? options = null, TimeProvider? time = null)
        : base(new SqliteDialect())
    {
        _options = options ?? new SqliteStoreOptions();
        _time = time ?? TimeProvider.System;
        Path = System.IO.Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Pooling = true,
            DefaultTimeout = (int)_options.BusyTimeout.TotalSeconds,
        }.ToString();
        _turns = new WriteTurns(Path, _options.BusyTimeout);
    }

    public override string Kind => "sqlite";

    public string Path { get; }

    // Retried like any call: a busy file at start-up is waited for.
    public override Task<MigrationResult> MigrateAsync(CancellationToken cancellationToken) => RetryingAsync(MigrateOnceAsync, cancellationToken);

    private async Task<MigrationResult> MigrateOnceAsync(CancellationToken cancellationToken)
    {
        var dir = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        await using var connection = await OpenAsync(cancellationToken);
        // WAL is a property of the file and cannot be set inside a transaction.
        await connection.Command("PRAGMA journal_mode = WAL").ExecAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var result = await ApplyMigrationsAsync(connection, transaction, Migrations, _time.GetUtcNow(), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    public override IChangeWatcher CreateChangeWatcher() => new SqliteChangeWatcher(_connectionString, Path, _options, _time);

    public override ValueTask DisposeAsync()
    {
        // Pooled connections keep the file open; let go of them so the file can be deleted or moved. Only this
        // file's pool: clearing every pool in the process races other stores' connections as they are handed out
        // and disposes their native handles under them.
        using (var own = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(own);
        }

        _turns.Dispose();
        return ValueTask.CompletedTask;
    }

    public override Task<IStoreLock?> TryLockAsync(string name, LockOptions options, CancellationToken cancellationToken) =>
        Task.FromResult(SqliteLock.TryTake(Path, name));

    public override Task<bool?> LockHeldAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult(SqliteLock.Held(Path, name));

    public override async Task<IStoreLock> LockAsync(string name, LockOptions options, CancellationToken cancellationToken)
    {
        // flock has no wait with a timeout or a cancellation: look again now and then (standbys only).
        while (true)
        {
            if (SqliteLock.TryTake(Path, name) is { } taken)
            {
                return taken;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), _time, cancellationToken);
        }
    }

    // SQLite's primary result codes (the low byte of an extended one): https://sqlite.org/rescode.html
    protected override StoreErrorKind Classify(Exception exception) => exception switch
    {
        SqliteException { SqliteErrorCode: var code } when (code & 0xFF) is SqliteBusy or SqliteLocked => StoreErrorKind.Transient,
        SqliteException { SqliteErrorCode: var code } when (code & 0xFF) is SqliteFull => StoreErrorKind.Full,
        TimeoutException => StoreErrorKind.Transient,
        _ => StoreErrorKind.Permanent,
    };

    protected override async ValueTask<IDisposable?> TakeWriteTurnAsync(CancellationToken cancellationToken) =>
        await _turns.TakeAsync(cancellationToken);

    /// <summary>A connection opened as every store call opens it (its pragmas set): for the durability tests.</summary>
    internal Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) => OpenAsync(cancellationToken);

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        // SQLite's own busy handler waits in small steps; without it concurrent writers would fail at once.
        await connection.Command($"PRAGMA busy_timeout = {(int)_options.BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = {_options.Synchronous}")
            .ExecAsync(cancellationToken);
        return connection;
    }
}
