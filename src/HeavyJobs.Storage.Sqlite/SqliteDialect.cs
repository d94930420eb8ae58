using System.Data;
using System.Data.Common;
using System.Text.Json;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Relational;
using Microsoft.Data.Sqlite;

namespace HeavyJobs.Storage.Sqlite;

internal sealed class SqliteDialect : SqlDialect
{
    // The write lock taken by BEGIN IMMEDIATE makes the select-then-update one atomic step.
    public override string ClaimSql =>
        """
        UPDATE hj_chunks SET state = 'running', lease_owner = @worker, epoch = epoch + 1, lease_expires_at = @expires,
            holders = CASE WHEN json_extract(holders, '$[#-1]') = @worker THEN holders ELSE json_insert(holders, '$[#]', @worker) END,
            started_at = COALESCE(started_at, @now), updated_at = @now
        WHERE id IN (
            SELECT id FROM hj_chunks
            WHERE state = 'pending' AND type IN (SELECT value FROM json_each(@types)) AND run_after <= @now
            ORDER BY progressed DESC, priority DESC, id
            LIMIT @max)
        RETURNING id, job_id, stage, type, epoch, input, cursor, done, good, bad, attempts, max_attempts, priority, progressed
        """;

    public override string ClaimSqlFor(int typeCount) =>
        typeCount == 1 ? ClaimSql.Replace("type IN (SELECT value FROM json_each(@types))", "type = @type1", StringComparison.Ordinal) : ClaimSql;

    public override string Greatest(string a, string b) => $"MAX({a}, {b})";

    public override string Least(string a, string b) => $"MIN({a}, {b})";

    public override string ForUpdate => "";

    public override string LastHolder => "json_extract(holders, '$[#-1]')";

    public override string NotifySql => "";

    public override string JsonObject(params string[] keysAndValues) => $"json_object({string.Join(", ", keysAndValues)})";

    public override string JsonAppend(string column, string jsonValue) => $"json_insert({column}, '$[#]', {jsonValue})";

    public override void AddTypes(DbCommand command, string name, IReadOnlyList<string> types) =>
        command.With(name, JsonSerializer.Serialize(types)).With("type1", types.Count > 0 ? types[0] : "");

    public override IReadOnlyList<long> ReadHolders(DbDataReader reader, int ordinal) =>
        JsonSerializer.Deserialize<long[]>(reader.GetString(ordinal)) ?? [];

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
        var input = command.Parameters["input"];
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
