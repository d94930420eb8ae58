using System.Data.Common;
using HeavyJobs.Storage.Relational;
using Npgsql;
using NpgsqlTypes;

namespace HeavyJobs.Storage.Postgres;

internal sealed class PostgresDialect(string wakeChannel) : SqlDialect
{
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
            started_at = COALESCE(c.started_at, @now), updated_at = @now
        FROM picked WHERE c.id = picked.id
        RETURNING c.id, c.job_id, c.stage, c.type, c.epoch, c.input, c.cursor, c.done, c.good, c.bad, c.attempts, c.max_attempts, c.priority, c.progressed
        """;

    public override string Greatest(string a, string b) => $"GREATEST({a}, {b})";

    public override string Least(string a, string b) => $"LEAST({a}, {b})";

    public override string ForUpdate => " FOR UPDATE SKIP LOCKED";

    public override string LastHolder => "holders[cardinality(holders)]";

    public override string NotifySql => $"SELECT pg_notify('{wakeChannel}', '')";

    public override string JsonObject(params string[] keysAndValues) => $"jsonb_build_object({string.Join(", ", keysAndValues)})";

    public override string JsonAppend(string column, string jsonValue) => $"{column} || jsonb_build_array({jsonValue})";

    public override void AddTypes(DbCommand command, string name, IReadOnlyList<string> types) =>
        ((NpgsqlCommand)command).Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = types.ToArray() });

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
        return count;
    }
}
