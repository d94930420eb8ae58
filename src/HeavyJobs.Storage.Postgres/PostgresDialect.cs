using System.Data.Common;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Relational;
using Npgsql;
using NpgsqlTypes;

namespace HeavyJobs.Storage.Postgres;

internal sealed class PostgresDialect(string wakeChannel) : SqlDialect
{
    /// <summary>Chunks inserted at once from which the table's statistics are refreshed in the same transaction.</summary>
    private const long AnalyzeAfter = 10_000;

    public string WakeChannel => wakeChannel;

    public override string ClaimSql =>
        """
        WITH picked AS (
            SELECT id FROM hj_chunks
            WHERE state = 'pending' AND type = ANY(@types) AND run_after <= @now
            ORDER BY progressed DESC, priority DESC, id
            LIMIT @max
            FOR UPDATE SKIP LOCKED)
        UPDATE hj_chunks c SET state = 'running', lease_owner = @worker, epoch = c.epoch + 1, lease_expires_at = @expires,
            holders = CASE WHEN c.holders[cardinality(c.holders)] = @worker THEN c.holders ELSE array_append(c.holders, @worker) END,
            started_at = COALESCE(c.started_at, @now), held_at = @now, held_from = c.cursor, updated_at = @now
        FROM picked WHERE c.id = picked.id
        RETURNING c.id, c.job_id, c.stage, c.type, c.epoch, c.input, c.cursor, c.done, c.good, c.bad, c.attempts, c.max_attempts, c.priority, c.progressed
        """;

    public override string ClaimSqlFor(int typeCount) => typeCount == 1 ? ClaimSql.Replace("type = ANY(@types)", "type = @type1", StringComparison.Ordinal) : ClaimSql;

    // One statement for any batch size. The chunks are found by their primary key alone, whatever the table's
    // statistics say. Written as plain conditions, "held" (state running or paused, an owner) let the planner
    // start from hj_chunks_owner or (job_id, state, id): statistics taken while nothing was running put the held
    // chunks at one row, so a scan of either index looked free, but hj_chunks_owner keeps an entry for every
    // claim since the last vacuum (a completion clears the owner, it does not remove the entry), and with 10
    // million chunks a vacuum comes seldom: the scan grew to seconds of CPU per batch (docs/performance.md,
    // "Big tables"). The CASE hides "held" from index matching; it is still checked on the row being updated,
    // so the fence holds against a concurrent reset as before.
    public override DbCommand? CompleteManyCommand(DbConnection connection, DbTransaction transaction, IReadOnlyList<ChunkCompletion> items, DateTimeOffset now)
    {
        var command = new NpgsqlCommand(
            """
            UPDATE hj_chunks c SET state = 'done', cursor = v.cursor, done = v.done, good = v.good, bad = v.bad,
                progressed = 1, lease_owner = NULL, lease_expires_at = NULL, finished_at = @now, updated_at = @now
            FROM unnest(@ids, @epochs, @cursors, @dones, @goods, @bads) AS v(id, epoch, cursor, done, good, bad)
            WHERE c.id = ANY(@ids) AND c.id = v.id AND c.epoch = v.epoch
              AND CASE WHEN c.state IN ('running', 'paused') AND c.lease_owner IS NOT NULL THEN true ELSE false END
            RETURNING c.id
            """,
            (NpgsqlConnection)connection,
            (NpgsqlTransaction)transaction);
        command.Parameters.Add(new NpgsqlParameter("now", NpgsqlDbType.Bigint) { Value = now.ToUnixTimeMilliseconds() });
        command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = items.Select(i => i.ChunkId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("epochs", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = items.Select(i => i.Epoch).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("cursors", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = items.Select(i => (object?)i.Cursor ?? DBNull.Value).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("dones", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = items.Select(i => i.Counters.Done).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("goods", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = items.Select(i => i.Counters.Good).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("bads", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = items.Select(i => i.Counters.Bad).ToArray() });
        return command;
    }

    public override Task InsertCompletionOutputsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<ChunkCompletion> items, DateTimeOffset now, CancellationToken cancellationToken) =>
        PostgresCompletionWrites.InsertOutputsAsync(connection, transaction, items, now, cancellationToken);

    public override Task InsertCompletionEmittedAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<ChunkCompletion> items, DateTimeOffset now, CancellationToken cancellationToken) =>
        PostgresCompletionWrites.InsertEmittedAsync(connection, transaction, items, now, cancellationToken);

    public override bool JobStateIndexed => true;

    public override string Greatest(string a, string b) => $"GREATEST({a}, {b})";

    public override string Least(string a, string b) => $"LEAST({a}, {b})";

    public override string ForUpdate => " FOR UPDATE SKIP LOCKED";

    public override string LastHolder => "holders[cardinality(holders)]";

    public override string NotifySql => $"SELECT pg_notify('{wakeChannel}', '')";

    public override string JsonObject(params string[] keysAndValues) => $"jsonb_build_object({string.Join(", ", keysAndValues)})";

    public override string JsonAppend(string column, string jsonValue) => $"{column} || jsonb_build_array({jsonValue})";

    public override string TextIn(string column, string parameter) => $"{column} = ANY(@{parameter})";

    public override void AddTextList(DbCommand command, string name, IReadOnlyList<string> values) =>
        ((NpgsqlCommand)command).Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values.ToArray() });

    public override IReadOnlyList<long> ReadHolders(DbDataReader reader, int ordinal) => reader.GetFieldValue<long[]>(ordinal);

    public override async Task<long> InsertChunksAsync(DbConnection connection, DbTransaction transaction, NewChunks chunks, CancellationToken cancellationToken)
    {
        var state = HeavyJobs.Core.Model.ChunkStates.ToDb(chunks.State);
        await using var importer = await ((NpgsqlConnection)connection).BeginBinaryImportAsync(
            "COPY hj_chunks (job_id, stage, type, state, priority, input, max_attempts, created_at, updated_at) FROM STDIN (FORMAT BINARY)",
            cancellationToken);
        long count = 0;
        foreach (var input in chunks.Inputs)
        {
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(chunks.JobId, NpgsqlDbType.Bigint, cancellationToken);
            await importer.WriteAsync(chunks.Stage, NpgsqlDbType.Integer, cancellationToken);
            await importer.WriteAsync(chunks.Type, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(state, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(chunks.Priority, NpgsqlDbType.Integer, cancellationToken);
            await importer.WriteAsync(input, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(chunks.MaxAttempts, NpgsqlDbType.Integer, cancellationToken);
            await importer.WriteAsync(chunks.NowMs, NpgsqlDbType.Bigint, cancellationToken);
            await importer.WriteAsync(chunks.NowMs, NpgsqlDbType.Bigint, cancellationToken);
            count++;
        }

        await importer.CompleteAsync(cancellationToken);
        await importer.CloseAsync(cancellationToken);
        await ChunksInsertedAsync(connection, transaction, count, cancellationToken);
        return count;
    }

    public override string KeysInput(string key, string order) => $"jsonb_build_object('keys', jsonb_agg({key} ORDER BY {order}))::text";

    public override async Task ChunksInsertedAsync(DbConnection connection, DbTransaction transaction, long count, CancellationToken cancellationToken)
    {
        if (count >= AnalyzeAfter)
        {
            // A large insert into a young table leaves the planner believing it tiny; it would then sort every
            // pending chunk at each claim instead of walking the claim index for the few rows it takes.
            await using var analyze = new NpgsqlCommand("ANALYZE hj_chunks", (NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
            await analyze.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
