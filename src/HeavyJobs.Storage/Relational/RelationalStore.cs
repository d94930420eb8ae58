using System.Data.Common;
using HeavyJobs.Storage.Changes;
using HeavyJobs.Storage.Fleet;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace HeavyJobs.Storage.Relational;

/// <summary>
/// The store logic both databases share, split by entity into partial files. Subclasses give the connection,
/// the dialect's few differences, migrations and the change watcher.
/// </summary>
public abstract partial class RelationalStore : IHeavyStore
{
    protected RelationalStore(SqlDialect dialect) => Dialect = dialect;

    public abstract string Kind { get; }

    /// <summary>
    /// Where the store says what it keeps retrying in the background (a listening session it cannot open), which
    /// no caller's error would otherwise show. A host that opens the store from <c>StoreOptions</c> gives its own.
    /// </summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;

    protected SqlDialect Dialect { get; }

    public abstract Task<MigrationResult> MigrateAsync(CancellationToken cancellationToken);

    public abstract IChangeWatcher CreateChangeWatcher();

    /// <summary>The lock and a watcher side by side; a store whose locks cost a session joins them (PostgreSQL).</summary>
    public virtual async Task<ILockingChangeWatcher?> TryLockWatchingAsync(string lockName, CancellationToken cancellationToken) =>
        await TryLockAsync(lockName, new LockOptions(), cancellationToken) is { } taken ? new LockBesideWatcher(taken, CreateChangeWatcher()) : null;

    public abstract ValueTask DisposeAsync();

    public abstract Task<IStoreLock?> TryLockAsync(string name, LockOptions options, CancellationToken cancellationToken);

    public abstract Task<IStoreLock> LockAsync(string name, LockOptions options, CancellationToken cancellationToken);

    public abstract Task<bool?> LockHeldAsync(string name, CancellationToken cancellationToken);

    /// <summary>An open connection from the pool.</summary>
    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Waits, before a write transaction begins, for whatever turn the database wants writers to take; null for none.</summary>
    protected virtual ValueTask<IDisposable?> TakeWriteTurnAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IDisposable?>(null);

    private async Task NotifyAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        if (Dialect.NotifySql.Length > 0)
        {
            await connection.Command(Dialect.NotifySql, transaction).ExecAsync(cancellationToken);
        }
    }
}
