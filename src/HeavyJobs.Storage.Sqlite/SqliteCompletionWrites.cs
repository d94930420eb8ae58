using System.Data.Common;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Relational;
using Microsoft.Data.Sqlite;

namespace HeavyJobs.Storage.Sqlite;

/// <summary>
/// A batched completion's outputs and emitted chunks: one INSERT prepared once and run for each row, in the
/// completion's transaction. SQLite has no round trip to save, only the parse and plan of a new statement per
/// chunk; the values are bound by position on SQLite's own statement (<see cref="SqliteRowStatement"/>), and
/// only those that change from one row to the next.
/// </summary>
internal static class SqliteCompletionWrites
{
    private const string OutputSql =
        "INSERT INTO hj_outputs (job_id, chunk_id, stage, key, data, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

    // As a checkpoint's emitted chunks (RelationalStore.InsertEmittedAsync), row for row: a re-run of the emitting
    // chunk emits the same keys again, and those rows are skipped. Their state and attempts are their job's and
    // stage's, looked up once for each (StageOf), as nothing in the transaction changes them between rows.
    private const string EmittedSql =
        """
        INSERT INTO hj_chunks (job_id, stage, type, state, priority, input, dedupe_key, max_attempts, created_at, updated_at)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)
        ON CONFLICT DO NOTHING
        """;

    private const string StageSql =
        """
        SELECT CASE WHEN EXISTS (SELECT 1 FROM hj_job_stages WHERE job_id = @job AND stage = @stage AND mode = 'barrier' AND released = 0) THEN 'waiting'
                    WHEN state = 'paused' THEN 'paused' ELSE 'pending' END,
               max_attempts
        FROM hj_jobs WHERE id = @job
        """;

    public static Task InsertOutputsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<ChunkCompletion> items, DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var insert = new SqliteRowStatement((SqliteConnection)connection, OutputSql);
        insert.Bind(6, StoreTime.ToMs(now));
        foreach (var item in items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            insert.Bind(1, item.JobId);
            insert.Bind(2, item.ChunkId);
            insert.Bind(3, item.Stage);
            foreach (var output in item.Outputs!)
            {
                insert.Bind(4, output.Key);
                insert.Bind(5, output.Data);
                insert.Run();
            }
        }

        return Task.CompletedTask;
    }

    public static async Task InsertEmittedAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<ChunkCompletion> items, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var stages = new Dictionary<(long Job, int Stage), (string State, int MaxAttempts)?>();
        using var insert = new SqliteRowStatement((SqliteConnection)connection, EmittedSql);
        insert.Bind(9, StoreTime.ToMs(now));
        foreach (var item in items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            insert.Bind(1, item.JobId);
            foreach (var emitted in item.Emitted!)
            {
                var key = (item.JobId, emitted.Stage);
                if (!stages.TryGetValue(key, out var stage))
                {
                    stages[key] = stage = await StageOfAsync(connection, transaction, key.JobId, key.Stage, cancellationToken);
                }

                if (stage is not { } s)
                {
                    // Not while this transaction accepted the emitting chunk's completion: its job is there.
                    throw new InvalidOperationException($"Job {item.JobId} does not exist.");
                }

                insert.Bind(2, emitted.Stage);
                insert.Bind(3, emitted.Type);
                insert.Bind(4, s.State);
                insert.Bind(5, emitted.Priority);
                insert.Bind(6, emitted.Input);
                insert.Bind(7, emitted.DedupeKey);
                insert.Bind(8, s.MaxAttempts);
                insert.Run();
            }
        }
    }

    private static async Task<(string State, int MaxAttempts)?> StageOfAsync(DbConnection connection, DbTransaction transaction, long job, int stage, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(StageSql, transaction).With("job", job).With("stage", stage);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetString(0), reader.GetInt32(1)) : null;
    }
}
