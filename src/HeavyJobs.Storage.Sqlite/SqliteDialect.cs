using System.Buffers;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Relational;
using Microsoft.Data.Sqlite;

namespace HeavyJobs.Storage.Sqlite;

internal sealed class SqliteDialect : SqlDialect
{
    // The write lock taken by BEGIN IMMEDIATE makes the select-then-update one atomic step. A chunk never held
    // before gets its holders list without parsing the empty one (6% of a no-op chunk's SQLite time). Only ids
    // and epochs come back: the rows are read after the commit (ClaimedReadCommand), outside the file's one
    // write lock, where the next worker's claim is already running. Read inside, they took a quarter of the
    // lock's time with no-op chunks, and the other workers waited for it.
    public override string ClaimSql =>
        """
        UPDATE hj_chunks SET state = 'running', lease_owner = @worker, epoch = epoch + 1, lease_expires_at = @expires,
            holders = CASE WHEN holders = '[]' THEN json_array(@worker)
                WHEN json_extract(holders, '$[#-1]') = @worker THEN holders ELSE json_insert(holders, '$[#]', @worker) END,
            started_at = COALESCE(started_at, @now), held_at = @now, held_from = cursor, updated_at = @now
        WHERE id IN (
            SELECT id FROM hj_chunks
            WHERE state = 'pending' AND type IN (SELECT value FROM json_each(@types)) AND run_after <= @now
            ORDER BY progressed DESC, priority DESC, id
            LIMIT @max)
        RETURNING id, epoch
        """;

    public override string ClaimSqlFor(int typeCount) =>
        typeCount == 1 ? ClaimSql.Replace("type IN (SELECT value FROM json_each(@types))", "type = @type1", StringComparison.Ordinal) : ClaimSql;

    public override bool ClaimReadsAfterCommit => true;

    public override DbCommand ClaimedReadCommand(DbConnection connection, IEnumerable<long> ids) =>
        connection.Command(
                """
                SELECT id, job_id, stage, type, epoch, input, cursor, done, good, bad, attempts, max_attempts, priority, progressed
                FROM hj_chunks WHERE id IN (SELECT value FROM json_each(@ids))
                """)
            .With("ids", JsonSerializer.Serialize(ids, StoreJsonContext.Default.IEnumerableInt64));

    // One JSON parameter for the whole batch: binding thousands of named parameters costs SQLite a name lookup
    // each over all of them, seconds for a batch of a thousand.
    public override DbCommand? CompleteManyCommand(DbConnection connection, DbTransaction transaction, IReadOnlyList<ChunkCompletion> items, DateTimeOffset now)
    {
        // Completions whose progress is already stored go as {"id": epoch}: nothing to extract but the key and
        // value, and no progress column to set: a fifth of the SQLite time of a no-op chunk.
        var stored = items.All(i => i.ProgressStored);
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            Span<byte> id = stackalloc byte[20];
            if (stored)
            {
                json.WriteStartObject();
                foreach (var item in items)
                {
                    item.ChunkId.TryFormat(id, out var length, default, CultureInfo.InvariantCulture);
                    json.WriteNumber(id[..length], item.Epoch);
                }

                json.WriteEndObject();
            }
            else
            {
                json.WriteStartArray();
                foreach (var item in items)
                {
                    json.WriteStartArray();
                    json.WriteNumberValue(item.ChunkId);
                    json.WriteNumberValue(item.Epoch);
                    json.WriteStringValue(item.Cursor);
                    json.WriteNumberValue(item.Counters.Done);
                    json.WriteNumberValue(item.Counters.Good);
                    json.WriteNumberValue(item.Counters.Bad);
                    json.WriteEndArray();
                }

                json.WriteEndArray();
            }
        }

        return connection.Command(stored ? CompleteStoredSql : CompleteSql, transaction)
            .With("now", now)
            .With("items", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    private const string CompleteSql =
        """
        UPDATE hj_chunks SET state = 'done', cursor = v.cursor, done = v.done, good = v.good, bad = v.bad,
            progressed = 1, lease_owner = NULL, lease_expires_at = NULL, finished_at = @now, updated_at = @now
        FROM (SELECT value ->> 0 AS id, value ->> 1 AS epoch, value ->> 2 AS cursor, value ->> 3 AS done, value ->> 4 AS good, value ->> 5 AS bad
              FROM json_each(@items)) AS v
        WHERE hj_chunks.id = v.id AND hj_chunks.epoch = v.epoch
          AND hj_chunks.state IN ('running', 'paused') AND hj_chunks.lease_owner IS NOT NULL
        RETURNING hj_chunks.id
        """;

    private const string CompleteStoredSql =
        """
        UPDATE hj_chunks SET state = 'done', progressed = 1, lease_owner = NULL, lease_expires_at = NULL, finished_at = @now, updated_at = @now
        FROM json_each(@items) AS v
        WHERE hj_chunks.id = CAST(v.key AS INTEGER) AND hj_chunks.epoch = v.value
          AND hj_chunks.state IN ('running', 'paused') AND hj_chunks.lease_owner IS NOT NULL
        RETURNING hj_chunks.id
        """;

    public override Task InsertCompletionOutputsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<ChunkCompletion> items, DateTimeOffset now, CancellationToken cancellationToken) =>
        SqliteCompletionWrites.InsertOutputsAsync(connection, transaction, items, now, cancellationToken);

    public override Task InsertCompletionEmittedAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<ChunkCompletion> items, DateTimeOffset now, CancellationToken cancellationToken) =>
        SqliteCompletionWrites.InsertEmittedAsync(connection, transaction, items, now, cancellationToken);

    public override bool JobStateIndexed => false;

    public override string Greatest(string a, string b) => $"MAX({a}, {b})";

    public override string Least(string a, string b) => $"MIN({a}, {b})";

    public override string ForUpdate => "";

    public override string LastHolder => "json_extract(holders, '$[#-1]')";

    public override string NotifySql => "";

    public override string JsonObject(params string[] keysAndValues) => $"json_object({string.Join(", ", keysAndValues)})";

    public override string JsonAppend(string column, string jsonValue) => $"json_insert({column}, '$[#]', {jsonValue})";

    public override string TextIn(string column, string parameter) => $"{column} IN (SELECT value FROM json_each(@{parameter}))";

    public override void AddTextList(DbCommand command, string name, IReadOnlyList<string> values) =>
        command.With(name, JsonSerializer.Serialize(values, StoreJsonContext.Default.IReadOnlyListString));

    public override IReadOnlyList<long> ReadHolders(DbDataReader reader, int ordinal) =>
        JsonSerializer.Deserialize(reader.GetString(ordinal), StoreJsonContext.Default.Int64Array) ?? [];

    public override string KeysInput(string key, string order) => $"json_object('keys', json_group_array({key} ORDER BY {order}))";

    public override async Task<long> InsertChunksAsync(DbConnection connection, DbTransaction transaction, NewChunks chunks, CancellationToken cancellationToken)
    {
        await using var command = (SqliteCommand)connection.Command(
            """
            INSERT INTO hj_chunks (job_id, stage, type, state, priority, input, max_attempts, created_at, updated_at)
            VALUES (@job, @stage, @type, @state, @priority, @input, @max, @now, @now)
            """,
            transaction);
        command.With("job", chunks.JobId).With("stage", chunks.Stage).With("type", chunks.Type).With("state", chunks.State.ToDb())
            .With("priority", chunks.Priority).With("max", chunks.MaxAttempts).With("now", chunks.NowMs).With("input", "");
        var input = command.Parameters["@input"];
        await command.PrepareAsync(cancellationToken);
        long count = 0;
        foreach (var text in chunks.Inputs)
        {
            input.Value = text;
            await command.ExecuteNonQueryAsync(cancellationToken);
            count++;
        }

        return count;
    }
}
