using System.Data.Common;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Chunks;

namespace HeavyJobs.Storage.Relational;

public abstract partial class RelationalStore
{
    private const string HoldColumns = "chunk_id, job_id, worker_id, node, from_cursor, to_cursor, started_at, ended_at, ended, reason";

    public Task<ChunkHistory?> ChunkHistoryAsync(long chunkId, CancellationToken cancellationToken) =>
        WithConnectionAsync(
            async connection =>
            {
                var chunk = (await connection.Command(
                        $"""
                        SELECT job_id, state, COALESCE(lease_owner, {Dialect.LastHolder}), lease_owner IS NOT NULL, held_from, cursor, held_at, finished_at, checkpoints,
                            (SELECT w.node FROM hj_workers w WHERE w.id = COALESCE(hj_chunks.lease_owner, {Dialect.LastHolder}))
                        FROM hj_chunks WHERE id = @id
                        """)
                    .With("id", chunkId)
                    .ListAsync(
                        r => (Job: r.GetInt64(0), State: r.GetString(1), Worker: r.NullableInt64(2), Held: Convert.ToBoolean(r.GetValue(3)), From: r.NullableString(4),
                            To: r.NullableString(5), HeldAt: r.NullableInt64(6), Finished: r.NullableInt64(7), Checkpoints: r.GetInt64(8), Node: r.NullableString(9)),
                        cancellationToken)).FirstOrDefault();
                var holds = await connection.Command(
                        "SELECT worker_id, node, from_cursor, to_cursor, started_at, ended_at, ended, reason FROM hj_chunk_holds WHERE chunk_id = @id ORDER BY id")
                    .With("id", chunkId)
                    .ListAsync(
                        r => new ChunkHold(r.GetInt64(0), r.NullableString(1), r.NullableString(2), r.NullableString(3), StoreTime.FromMs(r.NullableInt64(4)),
                            StoreTime.FromMs(r.GetInt64(5)), r.GetString(6), r.NullableString(7)),
                        cancellationToken);
                // The hold it is in, or the one that finished it, lives on the chunk row: written by the claim, not as history.
                if (chunk.Worker is { } worker && (chunk.Held || chunk.State == "done"))
                {
                    holds.Add(new ChunkHold(worker, chunk.Node, chunk.From, chunk.To, StoreTime.FromMs(chunk.HeldAt), chunk.Held ? null : StoreTime.FromMs(chunk.Finished),
                        chunk.Held ? HoldEndings.Holding : HoldEndings.Done, null));
                }

                var checkpoints = await connection.Command(
                        "SELECT seq, cursor, done, good, bad, worker_id, at FROM hj_chunk_checkpoints WHERE chunk_id = @id AND seq <= @upto ORDER BY seq DESC")
                    .With("id", chunkId)
                    .With("upto", chunk.Job == 0 ? long.MaxValue : chunk.Checkpoints)
                    .ListAsync(
                        r => new KeptCheckpoint(r.GetInt64(0), r.NullableString(1), new ChunkCounters(r.GetInt64(2), r.GetInt64(3), r.GetInt64(4)), r.NullableInt64(5), StoreTime.FromMs(r.GetInt64(6))),
                        cancellationToken);
                // A chunk that is gone has no history either (retention removes both together); one left over is still shown.
                return chunk.Job == 0 && holds.Count == 0 && checkpoints.Count == 0 ? null : new ChunkHistory(chunkId, chunk.Job, holds, checkpoints);
            },
            cancellationToken);

    public Task<ChunkRewound?> ChunkRewindAsync(ChunkRewindParams p, CancellationToken cancellationToken) =>
        InTransactionAsync(
            async (connection, transaction) =>
            {
                (string? Cursor, ChunkCounters Counters) target = (null, new ChunkCounters(0, 0, 0));
                if (p.Checkpoint > 0)
                {
                    var kept = await connection.Command("SELECT cursor, done, good, bad FROM hj_chunk_checkpoints WHERE chunk_id = @id AND seq = @seq", transaction)
                        .With("id", p.ChunkId)
                        .With("seq", p.Checkpoint)
                        .ListAsync(r => (r.NullableString(0), new ChunkCounters(r.GetInt64(1), r.GetInt64(2), r.GetInt64(3))), cancellationToken);
                    if (kept.Count == 0)
                    {
                        return null;
                    }

                    target = kept[0];
                }

                var changeable = $"id = @id AND checkpoints >= @seq AND {NotCancelled}";
                await EndHoldForResetAsync(connection, transaction, changeable, p.Now, c => c.With("id", p.ChunkId).With("seq", p.Checkpoint), cancellationToken);
                var note = Dialect.JsonObject("'at'", "@now", "'worker'", "NULL", "'attempt'", "attempts", "'error'", "@note");
                var jobId = (long?)await connection.Command(
                        $"""
                        UPDATE hj_chunks SET
                            state = CASE WHEN (SELECT j.state FROM hj_jobs j WHERE j.id = hj_chunks.job_id) = 'paused' THEN 'paused' ELSE 'pending' END,
                            cursor = @cursor, done = @done, good = @good, bad = @bad, checkpoints = @seq,
                            progressed = CASE WHEN @progressed = 1 THEN 1 ELSE 0 END,
                            errors = {Dialect.JsonAppend("errors", note)},
                            attempts = 0, crashes = 0, epoch = epoch + 1, lease_owner = NULL, lease_expires_at = NULL,
                            run_after = 0, finished_at = NULL, updated_at = @now
                        WHERE {changeable}
                        RETURNING job_id
                        """,
                        transaction)
                    .With("cursor", target.Cursor)
                    .With("done", target.Counters.Done)
                    .With("good", target.Counters.Good)
                    .With("bad", target.Counters.Bad)
                    .With("progressed", target.Cursor is not null || target.Counters.Done > 0)
                    .With("note", $"rewound to checkpoint {p.Checkpoint} by {p.Actor}")
                    .With("now", p.Now)
                    .With("id", p.ChunkId)
                    .With("seq", p.Checkpoint)
                    .ScalarAsync(cancellationToken);
                if (jobId is null)
                {
                    return null;
                }

                var removed = await ForgetAfterCheckpointAsync(connection, transaction, p.ChunkId, p.Checkpoint, cancellationToken);
                await ReopenJobAsync(connection, transaction, jobId.Value, p.Now, cancellationToken);
                var rewound = new ChunkRewound(jobId.Value, p.Checkpoint, target.Cursor, removed);
                await LogAsync(connection, transaction, p.Log is { } log ? log with { JobId = jobId, ChunkId = p.ChunkId, Reason = $"{log.Reason} {rewound.Describe()}" } : null, cancellationToken);
                await NotifyAsync(connection, transaction, cancellationToken);
                return rewound;
            },
            cancellationToken);

    private const string NotCancelled = "(SELECT j.state FROM hj_jobs j WHERE j.id = hj_chunks.job_id) <> 'cancelled'";

    /// <summary>
    /// Writes the ending hold of every chunk matching <paramref name="where"/> that is held: the chunk row keeps
    /// only the hold it is in, so a hold that ends other than by its completion becomes a history row here, in
    /// the transaction that ends it and before the statement that clears its holder.
    /// </summary>
    private static Task<int> EndHoldsAsync(
        DbConnection connection,
        DbTransaction transaction,
        string where,
        string ended,
        string reason,
        DateTimeOffset now,
        Action<DbCommand> bind,
        CancellationToken cancellationToken)
    {
        var command = connection.Command(
                $"""
                INSERT INTO hj_chunk_holds ({HoldColumns})
                SELECT id, job_id, lease_owner, (SELECT w.node FROM hj_workers w WHERE w.id = hj_chunks.lease_owner), held_from, cursor, held_at, @now, @ended, @holdReason
                FROM hj_chunks WHERE state IN ('running', 'paused') AND lease_owner IS NOT NULL AND {where}
                """,
                transaction)
            .With("now", now)
            .With("ended", ended)
            .With("holdReason", reason);
        bind(command);
        return command.ExecAsync(cancellationToken);
    }

    /// <summary>
    /// Before a reset or rewind: the hold it ends (its holder fenced off) or, for a done chunk, the hold that
    /// completed it, which lived on the chunk row until now.
    /// </summary>
    private Task<int> EndHoldForResetAsync(DbConnection connection, DbTransaction transaction, string where, DateTimeOffset now, Action<DbCommand> bind, CancellationToken cancellationToken)
    {
        var holder = $"COALESCE(lease_owner, {Dialect.LastHolder})";
        var command = connection.Command(
                $"""
                INSERT INTO hj_chunk_holds ({HoldColumns})
                SELECT id, job_id, {holder}, (SELECT w.node FROM hj_workers w WHERE w.id = {holder}), held_from, cursor, held_at,
                    CASE WHEN lease_owner IS NULL THEN finished_at ELSE @now END, CASE WHEN lease_owner IS NULL THEN 'done' ELSE 'reset' END, NULL
                FROM hj_chunks
                WHERE ((state IN ('running', 'paused') AND lease_owner IS NOT NULL) OR state = 'done') AND {holder} IS NOT NULL AND {where}
                """,
                transaction)
            .With("now", now);
        bind(command);
        return command.ExecAsync(cancellationToken);
    }

    /// <summary>The outputs and kept checkpoints written after checkpoint <paramref name="checkpoint"/> (0: all of them) go.</summary>
    private static async Task<long> ForgetAfterCheckpointAsync(DbConnection connection, DbTransaction transaction, long chunkId, long checkpoint, CancellationToken cancellationToken)
    {
        var removed = await connection.Command("DELETE FROM hj_outputs WHERE chunk_id = @id AND (checkpoint IS NULL OR checkpoint > @seq)", transaction)
            .With("id", chunkId)
            .With("seq", checkpoint)
            .ExecAsync(cancellationToken);
        await connection.Command("DELETE FROM hj_chunk_checkpoints WHERE chunk_id = @id AND seq > @seq", transaction)
            .With("id", chunkId)
            .With("seq", checkpoint)
            .ExecAsync(cancellationToken);
        return removed;
    }

    /// <summary>
    /// Keeps checkpoint <paramref name="number"/> in the chunk's ring of the last KeepCheckpoints: one upsert
    /// into slot number mod keep, which overwrites the checkpoint that fell out of the bound, so nothing is deleted.
    /// </summary>
    private static Task<int> KeepCheckpointAsync(DbConnection connection, DbTransaction transaction, ChunkCheckpointParams p, long number, long? worker, CancellationToken cancellationToken) =>
        connection.Command(
                """
                INSERT INTO hj_chunk_checkpoints (chunk_id, slot, job_id, seq, cursor, done, good, bad, worker_id, at)
                VALUES (@id, @slot, @job, @seq, @cursor, @done, @good, @bad, @worker, @now)
                ON CONFLICT (chunk_id, slot) DO UPDATE SET seq = excluded.seq, cursor = excluded.cursor, done = excluded.done, good = excluded.good,
                    bad = excluded.bad, worker_id = excluded.worker_id, at = excluded.at
                """,
                transaction)
            .With("id", p.ChunkId)
            .With("slot", (int)(number % p.KeepCheckpoints))
            .With("job", p.JobId)
            .With("seq", number)
            .With("cursor", p.Cursor)
            .With("done", p.Counters.Done)
            .With("good", p.Counters.Good)
            .With("bad", p.Counters.Bad)
            .With("worker", worker)
            .With("now", p.Now)
            .ExecAsync(cancellationToken);

    private static Task<int> ReopenJobAsync(DbConnection connection, DbTransaction transaction, long jobId, DateTimeOffset now, CancellationToken cancellationToken) =>
        connection.Command(
                "UPDATE hj_jobs SET state = 'active', finished_at = NULL, updated_at = @now WHERE id = @job AND state IN ('completed', 'failed')",
                transaction)
            .With("job", jobId)
            .With("now", now)
            .ExecAsync(cancellationToken);
}
