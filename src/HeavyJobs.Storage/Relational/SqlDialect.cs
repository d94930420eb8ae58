using System.Data.Common;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Chunks;

namespace HeavyJobs.Storage.Relational;

/// <summary>
/// What differs between the SQL of the two stores. Everything else in <see cref="RelationalStore"/> is one SQL
/// text run on both, so a rule changed there changes on both and the conformance suite checks it on both.
/// </summary>
public abstract class SqlDialect
{
    /// <summary>The claim: pick the best pending chunks without waiting on rows other claimers hold, and lease them.</summary>
    public abstract string ClaimSql { get; }

    /// <summary>
    /// The claim for a worker of <paramref name="typeCount"/> types. With one type the claim index gives the
    /// rows in claim order by itself, so the database reads only the rows it takes instead of sorting every
    /// pending chunk; the single type is bound as the parameter "type1" by <see cref="AddTypes"/>.
    /// </summary>
    public abstract string ClaimSqlFor(int typeCount);

    /// <summary>
    /// Whether <see cref="ClaimSql"/> returns only each leased chunk's id and epoch, the chunks being read by
    /// <see cref="ClaimedReadCommand"/> after the commit; otherwise it returns the chunks themselves.
    /// </summary>
    public virtual bool ClaimReadsAfterCommit => false;

    /// <summary>
    /// A read by id of leased chunks, returning the columns <see cref="ClaimSql"/> returns where it returns the
    /// chunks, in the same order. Only asked for where <see cref="ClaimReadsAfterCommit"/> is true.
    /// </summary>
    public virtual DbCommand ClaimedReadCommand(DbConnection connection, IEnumerable<long> ids) => throw new NotSupportedException();

    /// <summary>
    /// A statement completing a batch of held chunks, each fenced by its epoch, that returns the ids completed;
    /// or null to use the shared VALUES form.
    /// </summary>
    public virtual DbCommand? CompleteManyCommand(DbConnection connection, DbTransaction transaction, IReadOnlyList<ChunkCompletion> items, DateTimeOffset now) => null;

    /// <summary>
    /// Inserts the outputs of a batch of completed chunks (only those whose completion was accepted are passed),
    /// in the completion's transaction and in the order given: one statement for the batch, or one prepared
    /// statement reused, never a statement parsed per chunk.
    /// </summary>
    public abstract Task InsertCompletionOutputsAsync(
        DbConnection connection,
        DbTransaction transaction,
        IReadOnlyList<ChunkCompletion> items,
        DateTimeOffset now,
        CancellationToken cancellationToken);

    /// <summary>
    /// Inserts the next-stage chunks emitted by a batch of completed chunks, as a checkpoint inserts them: a chunk
    /// of an unreleased barrier stage waits, one of a paused job is paused, and a dedupe key already there is
    /// skipped.
    /// </summary>
    public abstract Task InsertCompletionEmittedAsync(
        DbConnection connection,
        DbTransaction transaction,
        IReadOnlyList<ChunkCompletion> items,
        DateTimeOffset now,
        CancellationToken cancellationToken);

    /// <summary>
    /// Whether a (job_id, state) index serves a job's chunks of one state in id order. PostgreSQL's does; SQLite has
    /// none, since its claims would rewrite every entry of an index naming the state they change.
    /// </summary>
    public abstract bool JobStateIndexed { get; }

    /// <summary>An expression for the last worker id in the holders column (the previous owner), or NULL.</summary>
    public abstract string LastHolder { get; }

    /// <summary>A JSON object built from alternating key and value expressions.</summary>
    public abstract string JsonObject(params string[] keysAndValues);

    /// <summary>An expression that appends <paramref name="jsonValue"/> to the JSON array column <paramref name="column"/>.</summary>
    public abstract string JsonAppend(string column, string jsonValue);

    /// <summary>The larger of two values (GREATEST on PostgreSQL, MAX on SQLite).</summary>
    public abstract string Greatest(string a, string b);

    /// <summary>The smaller of two values (LEAST on PostgreSQL, MIN on SQLite).</summary>
    public abstract string Least(string a, string b);

    /// <summary>Locks one row for the rest of the transaction, where the database needs it (SQLite's writer lock already serialises).</summary>
    public abstract string ForUpdate { get; }

    /// <summary>Run inside a transaction that made work available, to wake idle workers; empty where not needed.</summary>
    public abstract string NotifySql { get; }

    /// <summary>Adds the list of handler types as one parameter named <paramref name="name"/>, as <see cref="ClaimSql"/> reads it, and the first as "type1".</summary>
    public void AddTypes(DbCommand command, string name, IReadOnlyList<string> types)
    {
        AddTextList(command, name, types);
        command.With("type1", types.Count > 0 ? types[0] : "");
    }

    /// <summary>"<paramref name="column"/> is one of the texts in the list parameter <paramref name="parameter"/>" (see <see cref="AddTextList"/>).</summary>
    public abstract string TextIn(string column, string parameter);

    /// <summary>Adds a list of texts as one parameter, as <see cref="TextIn"/> reads it.</summary>
    public abstract void AddTextList(DbCommand command, string name, IReadOnlyList<string> values);

    public abstract IReadOnlyList<long> ReadHolders(DbDataReader reader, int ordinal);

    /// <summary>Inserts first-stage chunks in bulk (COPY on PostgreSQL, a reused prepared statement on SQLite).</summary>
    public abstract Task<long> InsertChunksAsync(
        DbConnection connection,
        DbTransaction transaction,
        NewChunks chunks,
        CancellationToken cancellationToken);

    /// <summary>An aggregate giving a chunk input <c>{"keys": [...]}</c> of a group's <paramref name="key"/> values in <paramref name="order"/>.</summary>
    public abstract string KeysInput(string key, string order);

    /// <summary>What the database needs after <paramref name="count"/> chunks were inserted at once (PostgreSQL: fresh statistics).</summary>
    public virtual Task ChunksInsertedAsync(DbConnection connection, DbTransaction transaction, long count, CancellationToken cancellationToken) =>
        Task.CompletedTask;
}

/// <summary>Chunks of one job and stage to insert in bulk.</summary>
public sealed record NewChunks(long JobId, int Stage, string Type, ChunkState State, int Priority, int MaxAttempts, IEnumerable<string> Inputs, long NowMs);
