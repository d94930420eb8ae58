using System.Data.Common;
using HeavyJobs.Storage.Chunks;
using Npgsql;
using NpgsqlTypes;

namespace HeavyJobs.Storage.Postgres;

/// <summary>
/// A batched completion's outputs and emitted chunks, each as one INSERT over unnest'ed arrays: one statement
/// (one parse, one round trip) for any batch size, where a statement per chunk cost a one-output chunk several
/// times what its completion did.
/// </summary>
internal static class PostgresCompletionWrites
{
    // unnest yields the rows in array order, so ids follow the order the handlers wrote them in.
    private const string OutputsSql =
        """
        INSERT INTO hj_outputs (job_id, chunk_id, stage, key, data, created_at)
        SELECT v.job_id, v.chunk_id, v.stage, v.key, v.data, @now
        FROM unnest(@jobs, @chunks, @stages, @keys, @datas) AS v(job_id, chunk_id, stage, key, data)
        """;

    // As a checkpoint's emitted chunks (RelationalStore.InsertEmittedAsync), row for row: a re-run of the emitting
    // chunk emits the same keys again, and those rows are skipped.
    private const string EmittedSql =
        """
        INSERT INTO hj_chunks (job_id, stage, type, state, priority, input, dedupe_key, max_attempts, created_at, updated_at)
        SELECT v.job_id, v.stage, v.type,
            CASE WHEN EXISTS (SELECT 1 FROM hj_job_stages s WHERE s.job_id = v.job_id AND s.stage = v.stage AND s.mode = 'barrier' AND s.released = 0) THEN 'waiting'
                 WHEN (SELECT j.state FROM hj_jobs j WHERE j.id = v.job_id) = 'paused' THEN 'paused' ELSE 'pending' END,
            v.priority, v.input, v.dedupe_key, (SELECT j.max_attempts FROM hj_jobs j WHERE j.id = v.job_id), @now, @now
        FROM unnest(@jobs, @stages, @types, @priorities, @inputs, @keys) AS v(job_id, stage, type, priority, input, dedupe_key)
        ON CONFLICT DO NOTHING
        """;

    public static async Task InsertOutputsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<ChunkCompletion> items, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var count = items.Sum(i => i.Outputs!.Count);
        var jobs = new long[count];
        var chunks = new long[count];
        var stages = new int[count];
        var keys = new string[count];
        var datas = new string[count];
        var n = 0;
        foreach (var item in items)
        {
            foreach (var output in item.Outputs!)
            {
                jobs[n] = item.JobId;
                chunks[n] = item.ChunkId;
                stages[n] = item.Stage;
                keys[n] = output.Key;
                datas[n] = output.Data;
                n++;
            }
        }

        await using var command = new NpgsqlCommand(OutputsSql, (NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
        command.Parameters.Add(new NpgsqlParameter("now", NpgsqlDbType.Bigint) { Value = now.ToUnixTimeMilliseconds() });
        command.Parameters.Add(new NpgsqlParameter("jobs", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = jobs });
        command.Parameters.Add(new NpgsqlParameter("chunks", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = chunks });
        command.Parameters.Add(new NpgsqlParameter("stages", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = stages });
        command.Parameters.Add(new NpgsqlParameter("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = keys });
        command.Parameters.Add(new NpgsqlParameter("datas", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = datas });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task InsertEmittedAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<ChunkCompletion> items, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var count = items.Sum(i => i.Emitted!.Count);
        var jobs = new long[count];
        var stages = new int[count];
        var types = new string[count];
        var priorities = new int[count];
        var inputs = new string[count];
        var keys = new string[count];
        var n = 0;
        foreach (var item in items)
        {
            foreach (var chunk in item.Emitted!)
            {
                jobs[n] = item.JobId;
                stages[n] = chunk.Stage;
                types[n] = chunk.Type;
                priorities[n] = chunk.Priority;
                inputs[n] = chunk.Input;
                keys[n] = chunk.DedupeKey;
                n++;
            }
        }

        await using var command = new NpgsqlCommand(EmittedSql, (NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
        command.Parameters.Add(new NpgsqlParameter("now", NpgsqlDbType.Bigint) { Value = now.ToUnixTimeMilliseconds() });
        command.Parameters.Add(new NpgsqlParameter("jobs", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = jobs });
        command.Parameters.Add(new NpgsqlParameter("stages", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = stages });
        command.Parameters.Add(new NpgsqlParameter("types", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = types });
        command.Parameters.Add(new NpgsqlParameter("priorities", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = priorities });
        command.Parameters.Add(new NpgsqlParameter("inputs", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = inputs });
        command.Parameters.Add(new NpgsqlParameter("keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = keys });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
