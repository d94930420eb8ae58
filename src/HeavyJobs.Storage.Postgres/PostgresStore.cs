using System.Data.Common;
using System.Globalization;
using HeavyJobs.Storage.Changes;
using HeavyJobs.Storage.Fleet;
using HeavyJobs.Storage.Faults;
using HeavyJobs.Storage.Relational;
using Npgsql;

namespace HeavyJobs.Storage.Postgres;

/// <summary>
/// The store for a fleet. Claims take rows with FOR UPDATE SKIP LOCKED, so claimers never wait on each other;
/// work-making transactions NOTIFY, so idle monitors wake without polling.
/// </summary>
public sealed class PostgresStore : RelationalStore
{
    /// <summary>The channel on which work-making transactions notify; one per schema, so installations sharing a database do not wake each other.</summary>
    public const string WakeChannelPrefix = "hj_wake";

    /// <summary>
    /// How long the server lets a HeavyJobs transaction sit idle between two statements before it ends it (and the
    /// session). A process frozen inside a write (SIGSTOP, a VM paused) would otherwise hold its rows for as long as
    /// the freeze lasts, and the reclaim of its chunks would wait with it. A leader's fenced writes use the shorter
    /// leader lock idle. An <c>Options</c> setting of <c>idle_in_transaction_session_timeout</c> in the connection
    /// string wins.
    /// </summary>
    public static readonly TimeSpan DefaultIdleTransactionLimit = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Settings every HeavyJobs session starts with, pooled or not, unless the connection string's <c>Options</c>
    /// set them: the server ends the session of a machine that left the network (a partition, a switch or host
    /// gone) in seconds, and with it the rows it locked and the locks it held (a machine's name, the lead). Idle,
    /// by keepalives: after 5 s of silence, 3 probes 2 s apart (11 s). With data the client never acknowledged (a
    /// reply sent into the cut, often inside a transaction whose rows the manager's reclaim then waits on),
    /// keepalives do not run: <c>tcp_user_timeout</c> ends it 10 s on, not the idle transaction limit's 30.
    /// </summary>
    internal static readonly IReadOnlyList<(string Name, string Value)> NetworkSettings =
        [("tcp_keepalives_idle", "5"), ("tcp_keepalives_interval", "2"), ("tcp_keepalives_count", "3"), ("tcp_user_timeout", "10000")];

    /// <summary>Silence after which the kernel asks whether a watcher's or lock's session still lives (Npgsql's <c>Tcp Keepalive Time</c>, which the connection string may set instead).</summary>
    internal static readonly TimeSpan SessionKeepAlive = TimeSpan.FromSeconds(10);

    // Any constant works; it only has to be the same in every HeavyJobs process.
    private const long MigrationLockKey = 0x4845_4156_594A_4F42;

    private static readonly IReadOnlyList<Migration> Migrations =
        LoadMigrations(typeof(PostgresStore).Assembly, "HeavyJobs.Storage.Postgres.Migrations.");

    private readonly NpgsqlDataSource _dataSource;
    private readonly NpgsqlDataSource _listenSource;
    private readonly string? _schema;
    private readonly TimeProvider _time;

    /// <param name="connectionString">The database; its search path names the schema HeavyJobs keeps its tables in.</param>
    /// <param name="time">The clock (tests pass a fake one).</param>
    /// <param name="idleTransactionLimit">See <see cref="DefaultIdleTransactionLimit"/>, which it replaces.</param>
    public PostgresStore(string connectionString, TimeProvider? time = null, TimeSpan? idleTransactionLimit = null)
        : this(connectionString, SchemaOf(connectionString), time, idleTransactionLimit ?? DefaultIdleTransactionLimit)
    {
    }

    private PostgresStore(string connectionString, string? schema, TimeProvider? time, TimeSpan idleTransactionLimit)
        : base(new PostgresDialect(WakeChannelPrefix + (schema is null ? "" : "_" + schema)))
    {
        _time = time ?? TimeProvider.System;
        _schema = schema;
        ConnectionString = connectionString;
        // No session state is ever set on a pooled connection (the schema comes from the connection string), so
        // the DISCARD ALL that would follow every use is pure cost: an idle fleet would spend most of its
        // statements on it.
        var pooled = new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true };
        // The pool looks for idle connections to close every 10 s by default: in a fleet of idle workers that is
        // most of what wakes each process. Once a minute closes them soon enough (they live 5 minutes idle).
        if (!new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>().Any(k => k.Contains("pruning", StringComparison.OrdinalIgnoreCase)))
        {
            pooled.ConnectionPruningInterval = Math.Min(60, pooled.ConnectionIdleLifetime);
        }

        pooled.Options = WithSettings(pooled.Options, [.. NetworkSettings, ("idle_in_transaction_session_timeout", Math.Max(1, (long)idleTransactionLimit.TotalMilliseconds).ToString(CultureInfo.InvariantCulture))]);
        _dataSource = NpgsqlDataSource.Create(pooled.ConnectionString);
        // LISTEN is session state: watchers get connections that are closed, never pooled, when they stop.
        _listenSource = NpgsqlDataSource.Create(SessionConnectionString(connectionString));
    }

    /// <summary>The connection string of the sessions that are never pooled: a watcher's LISTEN, a lock's.</summary>
    internal static string SessionConnectionString(string connectionString)
    {
        var sessions = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        sessions.Options = WithSettings(sessions.Options, NetworkSettings);
        // These sessions sit silent for hours (a LISTEN, a lock), and a side that only listens never hears that the
        // network dropped it: without its own keepalives it would wait on a session the server ended long ago,
        // its idle workers never woken again and its machine's name held by no one. The kernel asks after 10 s of
        // silence, then every second; unanswered (9 times, Linux's default count), the socket errors. That is
        // after the server's side has ended (11 s), so the name is free when the watcher takes it again. A
        // Unix-domain socket (a host that is a directory) has no network to lose and no TCP options: setting them
        // fails every connection.
        var unixSocket = sessions.Host?.Split(',').Any(h => h.TrimStart().StartsWith('/') || h.TrimStart().StartsWith('@')) == true;
        if (sessions.TcpKeepAliveTime == 0 && !unixSocket)
        {
            sessions.TcpKeepAliveTime = (int)SessionKeepAlive.TotalSeconds;
            sessions.TcpKeepAliveInterval = 1;
        }

        return sessions.ConnectionString;
    }

    /// <summary>The startup options with each setting added as <c>-c name=value</c>, unless they set it already.</summary>
    private static string WithSettings(string? options, IEnumerable<(string Name, string Value)> settings)
    {
        var result = options ?? "";
        foreach (var (name, value) in settings)
        {
            if (!result.Contains(name, StringComparison.OrdinalIgnoreCase))
            {
                result = $"{result} -c {name}={value}".TrimStart();
            }
        }

        return result;
    }

    /// <summary>The connection string as given (the data source's own copy hides the password).</summary>
    public string ConnectionString { get; }

    public override string Kind => "postgres";

    public NpgsqlDataSource DataSource => _dataSource;

    // Retried like any call, so a process that starts while the database restarts waits for it instead of exiting.
    public override Task<MigrationResult> MigrateAsync(CancellationToken cancellationToken) => RetryingAsync(MigrateOnceAsync, cancellationToken);

    private async Task<MigrationResult> MigrateOnceAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Concurrent migrators queue on this lock; the second finds the work done.
        await connection.Command("SELECT pg_advisory_xact_lock(@key)", transaction).With("key", MigrationLockKey).ExecAsync(cancellationToken);
        if (_schema is not null)
        {
            await connection.Command($"CREATE SCHEMA IF NOT EXISTS \"{_schema}\"", transaction).ExecAsync(cancellationToken);
        }

        var result = await ApplyMigrationsAsync(connection, transaction, Migrations, _time.GetUtcNow(), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    public override IChangeWatcher CreateChangeWatcher() => new PostgresChangeWatcher(_listenSource, ((PostgresDialect)Dialect).WakeChannel, _time, Logger);

    public override Task<ILockingChangeWatcher?> TryLockWatchingAsync(string lockName, CancellationToken cancellationToken) =>
        PostgresChangeWatcher.TakeAsync(_listenSource, ((PostgresDialect)Dialect).WakeChannel, _time, Logger, lockName, cancellationToken);

    private static string? SchemaOf(string connectionString)
    {
        var schema = new NpgsqlConnectionStringBuilder(connectionString).SearchPath?.Split(',')[0].Trim();
        if (string.IsNullOrEmpty(schema))
        {
            return null;
        }

        return schema.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            ? schema
            : throw new ArgumentException($"Search Path '{schema}' is not a plain schema name (letters, digits, '_').", nameof(connectionString));
    }

    public override async ValueTask DisposeAsync()
    {
        await _listenSource.DisposeAsync();
        await _dataSource.DisposeAsync();
    }

    public override Task<IStoreLock?> TryLockAsync(string name, LockOptions options, CancellationToken cancellationToken) =>
        PostgresLock.TakeAsync(_listenSource, name, options, wait: false, cancellationToken);

    public override async Task<IStoreLock> LockAsync(string name, LockOptions options, CancellationToken cancellationToken) =>
        (await PostgresLock.TakeAsync(_listenSource, name, options, wait: true, cancellationToken))!;

    // A 64-bit advisory lock shows in pg_locks as its high and low halves (classid, objid) with objsubid 1.
    public override Task<bool?> LockHeldAsync(string name, CancellationToken cancellationToken) =>
        WithConnectionAsync<bool?>(
            async connection => (bool)(await connection.Command(
                    $"""
                    SELECT EXISTS (
                        SELECT 1 FROM pg_locks
                        WHERE locktype = 'advisory' AND granted AND objsubid = 1
                          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                          AND ((classid::bigint << 32) | objid::bigint) = {PostgresLock.KeySql})
                    """)
                .With("name", name)
                .ScalarAsync(cancellationToken))!,
            cancellationToken);

    protected override StoreErrorKind Classify(Exception exception) => exception switch
    {
        PostgresException { SqlState: PostgresErrorCodes.DiskFull } => StoreErrorKind.Full,
        // Deadlocks, serialization failures, a server shutting down or starting, too many connections: Npgsql
        // knows which server errors pass.
        PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown } => StoreErrorKind.Transient,
        PostgresException pg => pg.IsTransient ? StoreErrorKind.Transient : StoreErrorKind.Permanent,
        // A refused, broken or timed-out connection (the server restarted, the backend was terminated).
        NpgsqlException npgsql when npgsql.IsTransient => StoreErrorKind.Transient,
        NpgsqlException { InnerException: IOException or System.Net.Sockets.SocketException or TimeoutException } => StoreErrorKind.Transient,
        TimeoutException => StoreErrorKind.Transient,
        _ => StoreErrorKind.Permanent,
    };

    protected override string IdleTransactionLimitSql(TimeSpan limit) =>
        $"SET LOCAL idle_in_transaction_session_timeout = {Math.Max(1, (long)limit.TotalMilliseconds)}";

    // The server answered the COMMIT with an error: it did not land. A broken connection leaves it unknown.
    protected override bool CommitSurelyFailed(Exception exception) => exception is PostgresException;

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);
}
