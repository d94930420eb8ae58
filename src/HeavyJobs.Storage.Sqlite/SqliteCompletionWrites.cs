using System.Data.Common;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Relational;
using Microsoft.Data.Sqlite;

namespace HeavyJobs.Storage.Sqlite;

/// <summary>
/// A batched completion's outputs and emitted chunks: one INSERT prepared once and run for each row, in the
/// completion's transaction. SQLite has no round trip to save, only the parse and plan of a new statement per
/// chunk; the values are bound as they are, with no JSON to write and take apart again.
/// </summary>
internal static class SqliteCompletionWrites
{
    private const string OutputSql =
        "INSERT INTO hj_outputs (job_id, chunk_id, stage, key, data, created_at) VALUES (@job, @chunk, @stage, @key, @data, @now)";

    // As a checkpoint's emitted chunks (RelationalStore.InsertEmittedAsync), row for row: a re-run of the emitting
    // chunk emits the same keys again, and those rows are skipped.
    private const string EmittedSql =
        """
        INSERT INTO hj_chunks (job_id, stage, type, state, priority, input, dedupe_key, max_attempts, created_at, updated_at)
        VALUES (@job, @stage, @type,
            CASE WHEN EXISTS (SELECT 1 FROM hj_job_stages WHERE job_id = @job AND stage = @stage AND mode = 'barrier' AND released = 0) THEN 'waiting'
                 WHEN (SELECT state FROM hj_jobs WHERE id = @job) = 'paused' THEN 'paused' ELSE 'pending' END,
            @priority, @input, @key, (SELECT max_attempts FROM hj_jobs WHERE id = @job), @now, @now)
        ON CONFLICT DO NOTHING
        """;

    public static async Task InsertOutputsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<ChunkCompletion> items, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = (SqliteCommand)connection.Command(OutputSql, transaction)
            .With("job", 0L).With("chunk", 0L).With("stage", 0).With("key", "").With("data", "").With("now", now);
        var (job, chunk, stage, key, data) = (command.Parameters["@job"], command.Parameters["@chunk"], command.Parameters["@stage"], command.Parameters["@key"], command.Parameters["@data"]);
        await command.PrepareAsync(cancellationToken);
        foreach (var item in items)
        {
            job.Value = item.JobId;
            chunk.Value = item.ChunkId;
            stage.Value = item.Stage;
            foreach (var output in item.Outputs!)
            {
                key.Value = output.Key;
                data.Value = output.Data;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }

    public static async Task InsertEmittedAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<ChunkCompletion> items, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = (SqliteCommand)connection.Command(EmittedSql, transaction)
            .With("job", 0L).With("stage", 0).With("type", "").With("priority", 0).With("input", "").With("key", "").With("now", now);
        var parameters = command.Parameters;
        var (job, stage, type, priority, input, key) = (parameters["@job"], parameters["@stage"], parameters["@type"], parameters["@priority"], parameters["@input"], parameters["@key"]);
        await command.PrepareAsync(cancellationToken);
        foreach (var item in items)
        {
            job.Value = item.JobId;
            foreach (var emitted in item.Emitted!)
            {
                stage.Value = emitted.Stage;
                type.Value = emitted.Type;
                priority.Value = emitted.Priority;
                input.Value = emitted.Input;
                key.Value = emitted.DedupeKey;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }
}
