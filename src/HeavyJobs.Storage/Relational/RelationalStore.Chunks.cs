using System.Data.Common;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Chunks;

namespace HeavyJobs.Storage.Relational;

public abstract partial class RelationalStore
{
    /// <summary>Rows per multi-row INSERT: well under both databases' parameter limits.</summary>
    private const int InsertBatch = 400;

    /// <summary>Completions per UPDATE: six parameters each, under SQLite's 32,766 and PostgreSQL's 65,535.</summary>
    private const int CompleteBatch = 2000;

    private const string ChunkColumns =
        "id, job_id, stage, type, state, priority, input, cursor, done, good, bad, attempts, max_attempts, crashes, errors, " +
        "epoch, lease_owner, lease_expires_at, holders, run_after, created_at, updated_at, started_at, finished_at";

    public async Task<IReadOnlyList<ClaimedChunk>> ChunkClaimAsync(ChunkClaimParams p, CancellationToken cancellationToken)
    {
        if (p.Types.Count == 0 || p.Max <= 0)
        {
            return [];
        }

        var leased = await InTransactionAsync((connection, transaction) => ClaimAsync(connection, transaction, p, cancellationToken), cancellationToken);
        return await ReadLeasedAsync(leased, p);
    }

    public Task<IReadOnlyList<long>> ChunkCompleteManyAsync(ChunkCompleteManyParams p, CancellationToken cancellationToken) =>
        p.Items.Count == 0
            ? Task.FromResult<IReadOnlyList<long>>([])
            // One transaction for the whole batch, however many statements its size needs: one commit per flush.
            : InTransactionAsync((connection, transaction) => CompleteManyAsync(connection, transaction, p, cancellationToken), cancellationToken);

    public async Task<CompletedAndClaimed> ChunkCompleteAndClaimAsync(ChunkCompleteAndClaimParams p, CancellationToken cancellationToken)
    {
        var (completed, leased) = await InTransactionAsync(
            async (connection, transaction) =>
            {
                // One write transaction where there were two: on SQLite one turn at its single write lock and
                // one sync of its log per batch of chunks instead of two.
                var completed = await CompleteManyAsync(connection, transaction, p.Complete, cancellationToken);
                var leased = await ClaimAsync(connection, transaction, p.Claim, cancellationToken);
                return (completed, leased);
            },
            cancellationToken);
        return new CompletedAndClaimed(completed, await ReadLeasedAsync(leased, p.Claim));
    }

    public async Task<IReadOnlyList<string>> ChunkReadyTypesAsync(IReadOnlyList<string> types, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ready = new List<string>();
        await using var connection = await OpenAsync(cancellationToken);
        foreach (var type in types)
        {
            // One probe per type walks the claim index to its first row and stops.
            var hit = await connection.Command("SELECT 1 FROM hj_chunks WHERE state = 'pending' AND type = @type AND run_after <= @now LIMIT 1")
                .With("type", type)
                .With("now", now)
                .ScalarAsync(cancellationToken);
            if (hit is not null)
            {
                ready.Add(type);
            }
        }

        return ready;
    }

    public Task<CheckpointOutcome> ChunkCheckpointAsync(ChunkCheckpointParams p, CancellationToken cancellationToken) =>
        InTransactionAsync(
            async (connection, transaction) =>
            {
                // The fence comes first: if the epoch moved on, nothing else in this transaction runs. A checkpoint
                // that does not complete sets no column an index names (SQLite rewrites the entries of every index
                // naming a column that is set, whatever its value): only completing moves the state and the owner.
                var ending = p.Complete ? "state = 'done', lease_owner = NULL, lease_expires_at = NULL, finished_at = @now" : "lease_expires_at = @expires";
                var state = (string?)await connection.Command(
                        $"""
                        UPDATE hj_chunks SET cursor = @cursor, done = @done, good = @good, bad = @bad,
                            progressed = CASE WHEN @progressed = 1 THEN 1 ELSE 0 END, {ending}, updated_at = @now
                        WHERE id = @id AND epoch = @epoch AND state IN ('running', 'paused') AND lease_owner IS NOT NULL
                        RETURNING state
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
                    .ScalarAsync(cancellationToken);
                if (state is null)
                {
                    // Nothing was written: the transaction holds no change to undo.
                    return CheckpointOutcome.LeaseLost;
                }

                await InsertOutputsAsync(connection, transaction, p.JobId, p.ChunkId, p.Stage, p.Outputs, p.Now, cancellationToken);
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
        // Nobody saw the holder die, so nobody knows which of its chunks it was running: each counts a death.
        return due ? await ReclaimAsync("lease_expires_at < @now", "lease expired", workerId: null, running: null, p.Now, p.QuarantineAfter, cancellationToken) : [];
    }

    public Task<IReadOnlyList<ReclaimedChunk>> ChunkReclaimByWorkerAsync(ChunkReclaimByWorkerParams p, CancellationToken cancellationToken) =>
        ReclaimAsync("lease_owner = @owner", p.Reason, p.WorkerId, p.Running, p.Now, p.QuarantineAfter, cancellationToken);

    public Task<bool> ChunkResetAsync(ChunkResetParams p, CancellationToken cancellationToken) =>
        InTransactionAsync(
            async (connection, transaction) =>
            {
                var note = Dialect.JsonObject("'at'", "@now", "'worker'", "NULL", "'attempt'", "attempts", "'error'", "@note");
                var jobId = (long?)await connection.Command(
                        $"""
                        UPDATE hj_chunks SET
                            state = CASE WHEN (SELECT j.state FROM hj_jobs j WHERE j.id = hj_chunks.job_id) = 'paused' THEN 'paused' ELSE 'pending' END,
                            cursor = CASE WHEN @zero = 1 THEN NULL ELSE cursor END,
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
                    // Its outputs go with its progress, so the re-run writes each of them once.
                    await connection.Command("DELETE FROM hj_outputs WHERE chunk_id = @id", transaction).With("id", p.ChunkId).ExecAsync(cancellationToken);
                }

                await connection.Command(
                        "UPDATE hj_jobs SET state = 'active', finished_at = NULL, updated_at = @now WHERE id = @job AND state IN ('completed', 'failed')",
                        transaction)
                    .With("job", jobId.Value)
                    .With("now", p.Now)
                    .ExecAsync(cancellationToken);
                await NotifyAsync(connection, transaction, cancellationToken);
                return true;
            },
            cancellationToken);

    public Task<ChunkRow?> ChunkGetAsync(long chunkId, CancellationToken cancellationToken) =>
        WithConnectionAsync(
            async connection => (await connection.Command($"SELECT {ChunkColumns} FROM hj_chunks WHERE id = @id")
                .With("id", chunkId)
                .ListAsync(ReadChunk, cancellationToken)).FirstOrDefault(),
            cancellationToken);

    private static readonly string[] FinishedStates = [.. Enum.GetValues<ChunkState>().Where(s => s.IsFinal()).Select(s => s.ToDb())];

    public Task<IReadOnlyList<ChunkRow>> ChunkListAsync(ChunkListParams p, CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<ChunkRow>>(
            async connection =>
            {
                string sql;
                if (p.JobId is not { } jobId)
                {
                    sql = $"SELECT {ChunkColumns} FROM hj_chunks WHERE 1 = 1{(p.State is null ? "" : " AND state = @state")}{(p.AfterId is null ? "" : " AND id > @after")} ORDER BY id LIMIT @limit";
                }
                else
                {
                    // A page of one job's chunks: short id-ordered ranges, each read from one index, merged.
                    var ranges = Dialect.JobStateIndexed
                        ? (p.State is { } only ? [only] : Enum.GetValues<ChunkState>()).Select(state => (Where: $"state = '{state.ToDb()}'", Id: "id")).ToList()
                        : await OpenAndSettledRangesAsync(connection, jobId, p.State, cancellationToken);
                    if (ranges.Count == 0)
                    {
                        return [];
                    }

                    sql = $"""
                          SELECT {ChunkColumns} FROM hj_chunks WHERE id IN ({string.Join(" UNION ALL ", ranges.Select((range, i) =>
                              $"SELECT id FROM (SELECT id FROM hj_chunks WHERE job_id = @job AND {range.Where}{(p.AfterId is null ? "" : $" AND {range.Id} > @after")} ORDER BY {range.Id} LIMIT @limit) AS r{i}"))})
                          ORDER BY id LIMIT @limit
                          """;
                }

                var command = connection.Command(sql).With("limit", Math.Clamp(p.Limit, 1, 100_000));
                if (p.JobId is { } job)
                {
                    command.With("job", job);
                }

                if (p is { JobId: null, State: { } state })
                {
                    command.With("state", state.ToDb());
                }

                if (p.AfterId is { } after)
                {
                    command.With("after", after);
                }

                return await command.ListAsync(ReadChunk, cancellationToken);
            },
            cancellationToken);

    /// <summary>
    /// The ranges of a job's page where no index names the state (SQLite, whose claims would rewrite it): open
    /// chunks by stage, settled ones by state, running ones among the held.
    /// </summary>
    private static async Task<List<(string Where, string Id)>> OpenAndSettledRangesAsync(DbConnection connection, long jobId, ChunkState? state, CancellationToken cancellationToken)
    {
        var ranges = new List<(string Where, string Id)>();
        if (state is null or ChunkState.Pending)
        {
            // The stages with open chunks, one index seek each. Pending chunks are read among the open: a stage
            // whose open chunks all wait for a barrier, or a paused job, is read through before it gives none.
            var stages = await connection.Command(
                    $"""
                    WITH RECURSIVE s(stage) AS (
                        SELECT MIN(stage) FROM hj_chunks WHERE job_id = @job AND {ChunkRanges.Open}
                        UNION ALL
                        SELECT (SELECT MIN(stage) FROM hj_chunks WHERE job_id = @job AND {ChunkRanges.Open} AND stage > s.stage) FROM s WHERE s.stage IS NOT NULL)
                    SELECT stage FROM s WHERE stage IS NOT NULL
                    """)
                .With("job", jobId).ListAsync(r => r.GetInt32(0), cancellationToken);
            var pending = state is null ? "" : " AND state = 'pending'";
            ranges.AddRange(stages.Select(stage => ($"stage = {stage} AND {ChunkRanges.Open}{pending}", "id")));
        }

        if (state is null)
        {
            ranges.AddRange(FinishedStates.Select(finished => ($"state = '{finished}' AND {ChunkRanges.Settled}", "id")));
        }
        else if (state == ChunkState.Running)
        {
            // Every running chunk has an owner: the few held chunks of the fleet, through hj_chunks_owner.
            // "+id" keeps SQLite from walking the whole table in id order instead.
            ranges.Add(("lease_owner IS NOT NULL AND state = 'running'", "+id"));
        }
        else if (state != ChunkState.Pending)
        {
            ranges.Add(($"state = '{state.Value.ToDb()}' AND {ChunkRanges.Settled}", "id"));
        }

        return ranges;
    }

    public Task<IReadOnlyList<OutputRow>> OutputListAsync(OutputListParams p, CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<OutputRow>>(
            async connection =>
            {
                var sql = "SELECT id, job_id, chunk_id, stage, key, data, created_at FROM hj_outputs WHERE job_id = @job"
                    + (p.Stage is null ? "" : " AND stage = @stage")
                    + (p.AfterId is null ? "" : " AND id > @after")
                    + (p.ChunkId is null ? "" : " AND chunk_id = @chunk")
                    + " ORDER BY id LIMIT @limit";
                var command = connection.Command(sql).With("job", p.JobId).With("limit", Math.Clamp(p.Limit, 1, 1_000_000));
                if (p.ChunkId is { } chunk)
                {
                    command.With("chunk", chunk);
                }

                if (p.Stage is { } stage)
                {
                    command.With("stage", stage);
                }

                if (p.AfterId is { } after)
                {
                    command.With("after", after);
                }

                return await command.ListAsync(
                    r => new OutputRow(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt32(3), r.GetString(4), r.GetString(5), StoreTime.FromMs(r.GetInt64(6))),
                    cancellationToken);
            },
            cancellationToken);

    private async Task<Leased> ClaimAsync(DbConnection connection, DbTransaction transaction, ChunkClaimParams p, CancellationToken cancellationToken)
    {
        if (p.Types.Count == 0 || p.Max <= 0)
        {
            return Leased.None;
        }

        var command = connection.Command(Dialect.ClaimSqlFor(p.Types.Count), transaction)
            .With("worker", p.WorkerId)
            .With("max", p.Max)
            .With("now", p.Now)
            .With("expires", p.Now + p.Lease);
        Dialect.AddTypes(command, "types", p.Types);
        if (Dialect.ClaimReadsAfterCommit)
        {
            var epochs = await command.ListAsync(r => (Id: r.GetInt64(0), Epoch: r.GetInt64(1)), cancellationToken);
            return new Leased([], epochs.ToDictionary(e => e.Id, e => e.Epoch));
        }

        var claimed = await command.ListAsync(r => ReadClaimed(r, p.Now + p.Lease), cancellationToken);
        return new Leased(InClaimOrder(claimed), Leased.NoEpochs);
    }

    /// <summary>
    /// The leased chunks, read after the commit where the dialect's claim returned only their ids and epochs. A
    /// chunk whose epoch has moved on since (reset or reclaimed in between) is no longer this worker's and is left
    /// out, as it would have been taken from a worker that had read it. The read is not cancelled: the chunks
    /// are leased, and a worker that did not learn of them would leave them until their lease ran out.
    /// </summary>
    private async Task<IReadOnlyList<ClaimedChunk>> ReadLeasedAsync(Leased leased, ChunkClaimParams p)
    {
        if (leased.Unread.Count == 0)
        {
            return leased.Chunks;
        }

        List<(int Progressed, ClaimedChunk Chunk)> rows;
        try
        {
            rows = await WithConnectionAsync(
                connection => Dialect.ClaimedReadCommand(connection, leased.Unread.Keys).ListAsync(r => ReadClaimed(r, p.Now + p.Lease), CancellationToken.None),
                CancellationToken.None);
        }
        catch
        {
            // Give them back now rather than when their leases run out (which is what happens if the store is gone).
            try
            {
                foreach (var (id, epoch) in leased.Unread)
                {
                    await ChunkReleaseAsync(new ChunkReleaseParams(id, epoch, p.Now), CancellationToken.None);
                }
            }
            catch (Exception)
            {
            }

            throw;
        }

        return InClaimOrder(rows.Where(r => leased.Unread.TryGetValue(r.Chunk.Id, out var epoch) && epoch == r.Chunk.Epoch));
    }

    /// <summary>A claimed chunk from the claim's columns: id, job_id, stage, type, epoch, input, cursor, done, good, bad, attempts, max_attempts, priority, progressed.</summary>
    private static (int Progressed, ClaimedChunk Chunk) ReadClaimed(DbDataReader r, DateTimeOffset expires) =>
        (r.GetInt32(13), new ClaimedChunk(
            r.GetInt64(0),
            r.GetInt64(1),
            r.GetInt32(2),
            r.GetString(3),
            r.GetInt64(4),
            r.GetString(5),
            r.NullableString(6),
            new ChunkCounters(r.GetInt64(7), r.GetInt64(8), r.GetInt64(9)),
            r.GetInt32(10),
            r.GetInt32(11),
            r.GetInt32(12),
            expires));

    // Neither RETURNING nor a read by ids gives an order: hand the chunks out in claim order.
    private static List<ClaimedChunk> InClaimOrder(IEnumerable<(int Progressed, ClaimedChunk Chunk)> claimed) =>
        claimed
            .OrderByDescending(c => c.Progressed)
            .ThenByDescending(c => c.Chunk.Priority)
            .ThenBy(c => c.Chunk.Id)
            .Select(c => c.Chunk)
            .ToList();

    private async Task<IReadOnlyList<long>> CompleteManyAsync(DbConnection connection, DbTransaction transaction, ChunkCompleteManyParams p, CancellationToken cancellationToken)
    {
        var completed = new List<long>(p.Items.Count);
        // A dialect may complete chunks whose progress is stored with a cheaper statement: batches never mix them.
        foreach (var batch in p.Items.GroupBy(i => i.ProgressStored).SelectMany(group => group.Chunk(CompleteBatch)))
        {
            if (Dialect.CompleteManyCommand(connection, transaction, batch, p.Now) is { } own)
            {
                completed.AddRange(await own.ListAsync(r => r.GetInt64(0), cancellationToken));
                continue;
            }

            var command = connection.Command("", transaction).With("now", p.Now);
            var rows = new string[batch.Length];
            for (var i = 0; i < batch.Length; i++)
            {
                var item = batch[i];
                rows[i] = $"(@i{i}, @e{i}, @c{i}, @d{i}, @g{i}, @b{i})";
                command.With($"i{i}", item.ChunkId).With($"e{i}", item.Epoch).With($"c{i}", item.Cursor)
                    .With($"d{i}", item.Counters.Done).With($"g{i}", item.Counters.Good).With($"b{i}", item.Counters.Bad);
            }

            // VALUES columns are named column1..columnN by both databases. Only the columns a completion
            // must change are set, so no index is touched that need not be.
            command.CommandText =
                $"""
                UPDATE hj_chunks SET state = 'done', cursor = v.column3, done = v.column4, good = v.column5, bad = v.column6,
                    progressed = 1, lease_owner = NULL, lease_expires_at = NULL, finished_at = @now, updated_at = @now
                FROM (VALUES {string.Join(", ", rows)}) AS v
                WHERE hj_chunks.id = v.column1 AND hj_chunks.epoch = v.column2
                  AND hj_chunks.state IN ('running', 'paused') AND hj_chunks.lease_owner IS NOT NULL
                RETURNING hj_chunks.id
                """;
            completed.AddRange(await command.ListAsync(r => r.GetInt64(0), cancellationToken));
        }

        // Outputs go in only for the chunks whose completion was accepted: a refused one wrote nothing.
        var accepted = completed.ToHashSet();
        foreach (var item in p.Items)
        {
            if (item.Outputs is { Count: > 0 } outputs && accepted.Contains(item.ChunkId))
            {
                await InsertOutputsAsync(connection, transaction, item.JobId, item.ChunkId, item.Stage, outputs, p.Now, cancellationToken);
            }
        }

        return completed;
    }

    /// <param name="running">The chunks that count a death; null for all of them.</param>
    private Task<IReadOnlyList<ReclaimedChunk>> ReclaimAsync(
        string condition,
        string reason,
        long? workerId,
        IReadOnlyCollection<long>? running,
        DateTimeOffset now,
        int quarantineAfter,
        CancellationToken cancellationToken) =>
        InTransactionAsync<IReadOnlyList<ReclaimedChunk>>(
            async (connection, transaction) =>
            {
                var error = Dialect.JsonObject("'at'", "@now", "'worker'", "lease_owner", "'attempt'", "attempts", "'error'", "@reason");
                var command = connection.Command("", transaction)
                    .With("now", now)
                    .With("reason", reason)
                    .With("quarantine", quarantineAfter);
                // A chunk not counted goes back as a graceful release would (no crash, no error, no attempt), but with
                // its epoch bumped like any reclaimed chunk, so nothing its old holder sent late is accepted.
                var counted = running is null ? "1 = 1" : running.Count == 0 ? "1 = 0" : $"id IN ({command.InList("r", running.ToList())})";
                command.CommandText =
                    $"""
                    UPDATE hj_chunks SET crashes = crashes + CASE WHEN {counted} THEN 1 ELSE 0 END,
                        errors = CASE WHEN {counted} THEN {Dialect.JsonAppend("errors", error)} ELSE errors END,
                        state = CASE WHEN {counted} AND crashes + 1 >= @quarantine THEN 'quarantined' WHEN state = 'paused' THEN 'paused' ELSE 'pending' END,
                        finished_at = CASE WHEN {counted} AND crashes + 1 >= @quarantine THEN @now ELSE NULL END,
                        lease_owner = NULL, lease_expires_at = NULL, epoch = epoch + 1, updated_at = @now
                    WHERE state IN ('running', 'paused') AND lease_owner IS NOT NULL AND {condition}
                    RETURNING id, job_id, {Dialect.LastHolder}, state, CASE WHEN {counted} THEN 1 ELSE 0 END
                    """;
                if (workerId is { } owner)
                {
                    command.With("owner", owner);
                }

                var reclaimed = await command.ListAsync(
                    r => new ReclaimedChunk(r.GetInt64(0), r.GetInt64(1), r.NullableInt64(2), ChunkStates.Parse(r.GetString(3)), r.GetInt32(4) == 1),
                    cancellationToken);
                if (reclaimed.Count > 0)
                {
                    await NotifyAsync(connection, transaction, cancellationToken);
                }

                return reclaimed;
            },
            cancellationToken);

    private static async Task InsertOutputsAsync(
        DbConnection connection,
        DbTransaction transaction,
        long jobId,
        long chunkId,
        int stage,
        IReadOnlyList<ChunkOutput> outputs,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        foreach (var batch in outputs.Chunk(InsertBatch))
        {
            var command = connection.Command("", transaction).With("job", jobId).With("chunk", chunkId).With("stage", stage).With("now", now);
            var rows = new string[batch.Length];
            for (var i = 0; i < batch.Length; i++)
            {
                rows[i] = $"(@job, @chunk, @stage, @k{i}, @d{i}, @now)";
                command.With($"k{i}", batch[i].Key).With($"d{i}", batch[i].Data);
            }

            command.CommandText = $"INSERT INTO hj_outputs (job_id, chunk_id, stage, key, data, created_at) VALUES {string.Join(", ", rows)}";
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

    private ChunkRow ReadChunk(DbDataReader r) => new(
        r.GetInt64(0),
        r.GetInt64(1),
        r.GetInt32(2),
        r.GetString(3),
        ChunkStates.Parse(r.GetString(4)),
        r.GetInt32(5),
        r.GetString(6),
        r.NullableString(7),
        new ChunkCounters(r.GetInt64(8), r.GetInt64(9), r.GetInt64(10)),
        r.GetInt32(11),
        r.GetInt32(12),
        r.GetInt32(13),
        r.GetString(14),
        r.GetInt64(15),
        r.NullableInt64(16),
        StoreTime.FromMs(r.NullableInt64(17)),
        Dialect.ReadHolders(r, 18),
        StoreTime.FromMs(r.GetInt64(19)),
        StoreTime.FromMs(r.GetInt64(20)),
        StoreTime.FromMs(r.GetInt64(21)),
        StoreTime.FromMs(r.NullableInt64(22)),
        StoreTime.FromMs(r.NullableInt64(23)));

    /// <summary>What a claim's statement returned: the chunks, or their ids and epochs where they are read after the commit.</summary>
    private sealed record Leased(IReadOnlyList<ClaimedChunk> Chunks, IReadOnlyDictionary<long, long> Unread)
    {
        public static readonly IReadOnlyDictionary<long, long> NoEpochs = new Dictionary<long, long>();

        public static readonly Leased None = new([], NoEpochs);
    }
}
