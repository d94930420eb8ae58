using System.Data.Common;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;

namespace HeavyJobs.Storage.Relational;

public abstract partial class RelationalStore
{
    /// <summary>Rows per multi-row INSERT: well under both databases' parameter limits.</summary>
    private const int InsertBatch = 400;

    public Task<CheckpointOutcome> ChunkCheckpointAsync(ChunkCheckpointParams p, CancellationToken cancellationToken) =>
        InTransactionAsync(
            async (connection, transaction) =>
            {
                // The fence comes first: if the epoch moved on, nothing else in this transaction runs. A checkpoint
                // that does not complete sets no column an index names (SQLite rewrites the entries of every index
                // naming a column that is set, whatever its value): only completing moves the state and the owner.
                var ending = p.Complete ? "state = 'done', lease_owner = NULL, lease_expires_at = NULL, finished_at = @now" : "lease_expires_at = @expires";
                // A completion is not numbered: what it writes comes after every checkpoint (see ChunkRewindAsync).
                var written = (await connection.Command(
                        $"""
                        UPDATE hj_chunks SET cursor = @cursor, done = @done, good = @good, bad = @bad, checkpoints = checkpoints + @step,
                            progressed = CASE WHEN @progressed = 1 THEN 1 ELSE 0 END, {ending}, updated_at = @now
                        WHERE id = @id AND epoch = @epoch AND state IN ('running', 'paused') AND lease_owner IS NOT NULL
                        RETURNING state, checkpoints, lease_owner
                        """,
                        transaction)
                    .With("cursor", p.Cursor)
                    .With("done", p.Counters.Done)
                    .With("good", p.Counters.Good)
                    .With("bad", p.Counters.Bad)
                    .With("progressed", p.Cursor is not null || p.Counters.Done > 0)
                    .With("expires", p.Complete ? null : StoreTime.ToMs(p.Now + p.Lease))
                    .With("now", p.Now)
                    .With("id", p.ChunkId)
                    .With("epoch", p.Epoch)
                    .With("step", p.Complete ? 0 : 1)
                    .ListAsync(r => (State: r.GetString(0), Number: r.GetInt64(1), Worker: r.NullableInt64(2)), cancellationToken)).FirstOrDefault();
                if (written.State is not { } state)
                {
                    // Nothing was written: the transaction holds no change to undo.
                    return CheckpointOutcome.LeaseLost;
                }

                long? number = p.Complete ? null : written.Number;
                if (number is { } n && p.KeepCheckpoints > 0)
                {
                    await KeepCheckpointAsync(connection, transaction, p, n, written.Worker, cancellationToken);
                }

                await InsertOutputsAsync(connection, transaction, p.JobId, p.ChunkId, p.Stage, p.Outputs, p.Now, cancellationToken, number);
                await MarkFreshAsync(connection, transaction, p, cancellationToken);
                if (p.Emitted.Count > 0)
                {
                    await InsertEmittedAsync(connection, transaction, p, cancellationToken);
                    await NotifyAsync(connection, transaction, cancellationToken);
                }

                return state == "paused" ? CheckpointOutcome.Yield : CheckpointOutcome.Committed;
            },
            cancellationToken);

    public Task<FailOutcome> ChunkFailAsync(ChunkFailParams p, CancellationToken cancellationToken) =>
        InTransactionAsync(
            async (connection, transaction) =>
            {
                var error = Dialect.JsonObject("'at'", "@now", "'worker'", "@worker", "'attempt'", "attempts + 1", "'error'", "@error");
                await EndHoldsAsync(connection, transaction, "id = @id AND epoch = @epoch", HoldEndings.Failed, Truncate(p.Error, 400), p.Now, c => c.With("id", p.ChunkId).With("epoch", p.Epoch), cancellationToken);
                var state = (string?)await connection.Command(
                        $"""
                        UPDATE hj_chunks SET attempts = attempts + 1, errors = {Dialect.JsonAppend("errors", error)},
                            state = CASE WHEN attempts + 1 >= max_attempts THEN 'failed' WHEN state = 'paused' THEN 'paused' ELSE 'pending' END,
                            finished_at = CASE WHEN attempts + 1 >= max_attempts THEN @now ELSE NULL END,
                            run_after = @retry, lease_owner = NULL, lease_expires_at = NULL, updated_at = @now
                        WHERE id = @id AND epoch = @epoch AND state IN ('running', 'paused') AND lease_owner IS NOT NULL
                        RETURNING state
                        """,
                        transaction)
                    .With("now", p.Now)
                    .With("worker", p.WorkerId)
                    .With("error", Truncate(p.Error, 4000))
                    .With("retry", p.RetryAt)
                    .With("id", p.ChunkId)
                    .With("epoch", p.Epoch)
                    .ScalarAsync(cancellationToken);
                return state is null ? new FailOutcome(false, ChunkState.Running) : new FailOutcome(true, ChunkStates.Parse(state));
            },
            cancellationToken);

    public Task<bool> ChunkReleaseAsync(ChunkReleaseParams p, CancellationToken cancellationToken) =>
        InTransactionAsync(
            async (connection, transaction) =>
            {
                await EndHoldsAsync(connection, transaction, "id = @id AND epoch = @epoch", HoldEndings.Released, "", p.Now, c => c.With("id", p.ChunkId).With("epoch", p.Epoch), cancellationToken);
                var changed = await connection.Command(
                        """
                        UPDATE hj_chunks SET state = CASE WHEN state = 'paused' THEN 'paused' ELSE 'pending' END,
                            lease_owner = NULL, lease_expires_at = NULL, updated_at = @now
                        WHERE id = @id AND epoch = @epoch AND state IN ('running', 'paused') AND lease_owner IS NOT NULL
                        """,
                        transaction)
                    .With("now", p.Now)
                    .With("id", p.ChunkId)
                    .With("epoch", p.Epoch)
                    .ExecAsync(cancellationToken);
                if (changed > 0)
                {
                    await NotifyAsync(connection, transaction, cancellationToken);
                }

                return changed > 0;
            },
            cancellationToken);

    public Task<IReadOnlyList<HeldChunk>> ChunkLeaseExtendAsync(ChunkLeaseExtendParams p, CancellationToken cancellationToken) =>
        p.WorkerIds.Count == 0
            ? Task.FromResult<IReadOnlyList<HeldChunk>>([])
            : InTransactionAsync<IReadOnlyList<HeldChunk>>(
                async (connection, transaction) =>
                {
                    var command = connection.Command("", transaction).With("expires", p.Now + p.Lease);
                    command.CommandText =
                        $"""
                        UPDATE hj_chunks SET lease_expires_at = @expires
                        WHERE lease_owner IN ({command.InList("w", p.WorkerIds)}) AND state IN ('running', 'paused')
                        RETURNING id, lease_owner
                        """;
                    return await command.ListAsync(r => new HeldChunk(r.GetInt64(0), r.GetInt64(1)), cancellationToken);
                },
                cancellationToken);

    public async Task<IReadOnlyList<ReclaimedChunk>> ChunkReclaimExpiredAsync(ChunkReclaimExpiredParams p, CancellationToken cancellationToken)
    {
        // Almost always nothing has expired: one indexed look without a transaction, and the write only when needed.
        var due = await WithConnectionAsync(
            async connection => await connection.Command("SELECT 1 FROM hj_chunks WHERE lease_owner IS NOT NULL AND lease_expires_at < @now LIMIT 1")
                .With("now", p.Now).ScalarAsync(cancellationToken) is not null,
            cancellationToken);
        // A lease expires when the fleet gives up on a silent holder (its machine declared dead): nobody saw a chunk
        // kill anything, so none of them counts a death; each goes back with its checkpoint as a release would.
        Func<IReadOnlyList<ReclaimedChunk>, IEnumerable<ActionInsertParams>>? log = p.Log is { } each ? chunks => chunks.Select(each) : null;
        return due ? await ReclaimAsync("lease_expires_at < @now", "lease expired", workerId: null, running: [], p.Now, p.QuarantineAfter, HoldEndings.Lost, cancellationToken, log) : [];
    }

    public Task<IReadOnlyList<ReclaimedChunk>> ChunkReclaimByWorkerAsync(ChunkReclaimByWorkerParams p, CancellationToken cancellationToken) =>
        ReclaimAsync("lease_owner = @owner", p.Reason, p.WorkerId, p.Running, p.Now, p.QuarantineAfter, p.Ended, cancellationToken, p.Log);

    public Task<bool> ChunkResetAsync(ChunkResetParams p, CancellationToken cancellationToken) =>
        InTransactionAsync(
            async (connection, transaction) =>
            {
                var note = Dialect.JsonObject("'at'", "@now", "'worker'", "NULL", "'attempt'", "attempts", "'error'", "@note");
                await EndHoldForResetAsync(connection, transaction, $"id = @id AND {NotCancelled}", p.Now, c => c.With("id", p.ChunkId), cancellationToken);
                var jobId = (long?)await connection.Command(
                        $"""
                        UPDATE hj_chunks SET
                            state = CASE WHEN (SELECT j.state FROM hj_jobs j WHERE j.id = hj_chunks.job_id) = 'paused' THEN 'paused' ELSE 'pending' END,
                            cursor = CASE WHEN @zero = 1 THEN NULL ELSE cursor END,
                            checkpoints = CASE WHEN @zero = 1 THEN 0 ELSE checkpoints END,
                            done = CASE WHEN @zero = 1 THEN 0 ELSE done END,
                            good = CASE WHEN @zero = 1 THEN 0 ELSE good END,
                            bad = CASE WHEN @zero = 1 THEN 0 ELSE bad END,
                            progressed = CASE WHEN @zero = 1 THEN 0 ELSE progressed END,
                            errors = {Dialect.JsonAppend("errors", note)},
                            attempts = 0, crashes = 0, epoch = epoch + 1, lease_owner = NULL, lease_expires_at = NULL,
                            run_after = 0, finished_at = NULL, updated_at = @now
                        WHERE id = @id AND (SELECT j.state FROM hj_jobs j WHERE j.id = hj_chunks.job_id) <> 'cancelled'
                        RETURNING job_id
                        """,
                        transaction)
                    .With("zero", p.ToZero)
                    .With("note", $"reset to {(p.ToZero ? "zero" : "last checkpoint")} by {p.Actor}")
                    .With("now", p.Now)
                    .With("id", p.ChunkId)
                    .ScalarAsync(cancellationToken);
                if (jobId is null)
                {
                    return false;
                }

                if (p.ToZero)
                {
                    // Its outputs go with its progress, so the re-run writes each of them once; its kept checkpoints go too.
                    await ForgetAfterCheckpointAsync(connection, transaction, p.ChunkId, 0, cancellationToken);
                }

                await ReopenJobAsync(connection, transaction, jobId.Value, p.Now, cancellationToken);
                await LogAsync(connection, transaction, p.Log is { } log ? log with { JobId = jobId, ChunkId = p.ChunkId } : null, cancellationToken);
                await NotifyAsync(connection, transaction, cancellationToken);
                return true;
            },
            cancellationToken);

    /// <param name="running">The chunks that count a death; null for all of them.</param>
    private Task<IReadOnlyList<ReclaimedChunk>> ReclaimAsync(
        string condition,
        string reason,
        long? workerId,
        IReadOnlyCollection<long>? running,
        DateTimeOffset now,
        int quarantineAfter,
        string ended,
        CancellationToken cancellationToken,
        Func<IReadOnlyList<ReclaimedChunk>, IEnumerable<ActionInsertParams>>? log) =>
        InTransactionAsync(
            async (connection, transaction) =>
            {
                var reclaimed = await ReclaimInAsync(connection, transaction, condition, reason, workerId, running, now, quarantineAfter, charge: true, cancellationToken, ended: ended);
                foreach (var action in reclaimed.Count > 0 && log is not null ? log(reclaimed) : [])
                {
                    await LogAsync(connection, transaction, action, cancellationToken);
                }

                return reclaimed;
            },
            cancellationToken);

    /// <summary>
    /// Returns held chunks that match <paramref name="condition"/> to the pool with their cursors, inside a
    /// transaction the caller holds. The chunks in <paramref name="running"/> (null: all) had started: their
    /// death is noted in their errors, and counts toward quarantine only when <paramref name="charge"/> is set
    /// (a worker that died, not a machine the fleet gave up on).
    /// </summary>
    private async Task<IReadOnlyList<ReclaimedChunk>> ReclaimInAsync(
        DbConnection connection,
        DbTransaction transaction,
        string condition,
        string reason,
        long? workerId,
        IReadOnlyCollection<long>? running,
        DateTimeOffset now,
        int quarantineAfter,
        bool charge,
        CancellationToken cancellationToken,
        Action<DbCommand>? extra = null,
        string ended = HoldEndings.Lost)
    {
        await EndHoldsAsync(
            connection,
            transaction,
            condition,
            ended,
            reason,
            now,
            c =>
            {
                if (workerId is { } holder)
                {
                    c.With("owner", holder);
                }

                extra?.Invoke(c);
            },
            cancellationToken);
        var error = Dialect.JsonObject("'at'", "@now", "'worker'", "lease_owner", "'attempt'", "attempts", "'error'", "@reason");
        var command = connection.Command("", transaction)
            .With("now", now)
            .With("reason", reason)
            .With("quarantine", quarantineAfter);
        // A chunk not counted goes back as a graceful release would (no crash, no error, no attempt), but with
        // its epoch bumped like any reclaimed chunk, so nothing its old holder sent late is accepted.
        var noted = running is null ? "1 = 1" : running.Count == 0 ? "1 = 0" : $"id IN ({command.InList("r", running.ToList())})";
        var counted = charge ? noted : "1 = 0";
        // A death after the chunk committed progress since its previous counted death is the first of a new
        // run, not one more: only a chunk that keeps killing its workers at the same place is poison.
        var deaths = "CASE WHEN done <> crash_done OR COALESCE(cursor, '') <> COALESCE(crash_cursor, '') THEN 1 ELSE crashes + 1 END";
        command.CommandText =
            $"""
            UPDATE hj_chunks SET crashes = CASE WHEN {counted} THEN {deaths} ELSE crashes END,
                crash_done = CASE WHEN {counted} THEN done ELSE crash_done END,
                crash_cursor = CASE WHEN {counted} THEN cursor ELSE crash_cursor END,
                errors = CASE WHEN {noted} THEN {Dialect.JsonAppend("errors", error)} ELSE errors END,
                state = CASE WHEN {counted} AND {deaths} >= @quarantine THEN 'quarantined' WHEN state = 'paused' THEN 'paused' ELSE 'pending' END,
                finished_at = CASE WHEN {counted} AND {deaths} >= @quarantine THEN @now ELSE NULL END,
                lease_owner = NULL, lease_expires_at = NULL, epoch = epoch + 1, updated_at = @now
            WHERE state IN ('running', 'paused') AND lease_owner IS NOT NULL AND {condition}
            RETURNING id, job_id, {Dialect.LastHolder}, state, CASE WHEN {counted} THEN 1 ELSE 0 END
            """;
        if (workerId is { } owner)
        {
            command.With("owner", owner);
        }

        extra?.Invoke(command);
        var reclaimed = await command.ListAsync(
            r => new ReclaimedChunk(r.GetInt64(0), r.GetInt64(1), r.NullableInt64(2), ChunkStates.Parse(r.GetString(3)), r.GetInt32(4) == 1),
            cancellationToken);
        if (reclaimed.Count > 0)
        {
            await NotifyAsync(connection, transaction, cancellationToken);
        }

        return reclaimed;
    }

    private static async Task InsertOutputsAsync(
        DbConnection connection,
        DbTransaction transaction,
        long jobId,
        long chunkId,
        int stage,
        IReadOnlyList<ChunkOutput> outputs,
        DateTimeOffset now,
        CancellationToken cancellationToken,
        long? checkpoint = null)
    {
        foreach (var batch in outputs.Chunk(InsertBatch))
        {
            // The checkpoint that commits them (null: the completion), so a rewind knows which came after it.
            var command = connection.Command("", transaction).With("job", jobId).With("chunk", chunkId).With("stage", stage).With("now", now).With("checkpoint", checkpoint);
            var rows = new string[batch.Length];
            for (var i = 0; i < batch.Length; i++)
            {
                rows[i] = $"(@job, @chunk, @stage, @k{i}, @d{i}, @now, @checkpoint)";
                command.With($"k{i}", batch[i].Key).With($"d{i}", batch[i].Data);
            }

            command.CommandText = $"INSERT INTO hj_outputs (job_id, chunk_id, stage, key, data, created_at, checkpoint) VALUES {string.Join(", ", rows)}";
            await command.ExecAsync(cancellationToken);
        }
    }

    private static async Task InsertEmittedAsync(DbConnection connection, DbTransaction transaction, ChunkCheckpointParams p, CancellationToken cancellationToken)
    {
        foreach (var batch in p.Emitted.Chunk(InsertBatch))
        {
            var command = connection.Command("", transaction).With("job", p.JobId).With("now", p.Now);
            var rows = new string[batch.Length];
            for (var i = 0; i < batch.Length; i++)
            {
                // A chunk of a barrier stage waits until the manager releases the stage; one emitted by a chunk still
                // held when its job was paused waits for the resume like the job's other chunks.
                rows[i] = $"(@job, @s{i}, @t{i}, CASE WHEN EXISTS (SELECT 1 FROM hj_job_stages WHERE job_id = @job AND stage = @s{i} AND mode = 'barrier' AND released = 0) THEN 'waiting' WHEN (SELECT state FROM hj_jobs WHERE id = @job) = 'paused' THEN 'paused' ELSE 'pending' END, @p{i}, @i{i}, @k{i}, (SELECT max_attempts FROM hj_jobs WHERE id = @job), @now, @now)";
                command.With($"s{i}", batch[i].Stage).With($"t{i}", batch[i].Type).With($"p{i}", batch[i].Priority)
                    .With($"i{i}", batch[i].Input).With($"k{i}", batch[i].DedupeKey);
            }

            // A re-run of the emitting chunk emits the same keys again; those rows already exist and are skipped.
            command.CommandText =
                $"""
                INSERT INTO hj_chunks (job_id, stage, type, state, priority, input, dedupe_key, max_attempts, created_at, updated_at)
                VALUES {string.Join(", ", rows)}
                ON CONFLICT DO NOTHING
                """;
            await command.ExecAsync(cancellationToken);
        }
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max] + "…";
}
