using System.Data.Common;
using System.Text.Json;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Jobs;

namespace HeavyJobs.Storage.Relational;

public abstract partial class RelationalStore
{
    private const string JobColumns = "id, name, state, stages, parameters, priority, max_attempts, created_at, updated_at, finished_at";

    public Task<JobInserted> JobInsertAsync(JobInsertParams p, CancellationToken cancellationToken) =>
        InTransactionAsync(
            async (connection, transaction) =>
            {
                var now = StoreTime.ToMs(p.Now);
                if (p.Fire is { } fire && await connection.Command(
                        "UPDATE hj_schedules SET next_run_at = @next, last_run_at = @now WHERE id = @id AND next_run_at = @due",
                        transaction)
                    .With("next", fire.Next).With("now", now).With("id", fire.ScheduleId).With("due", fire.Due)
                    .ExecAsync(cancellationToken) == 0)
                {
                    throw new ScheduleAlreadyFiredException(fire.ScheduleId, fire.Due);
                }

                var jobId = (long)(await connection.Command(
                        """
                        INSERT INTO hj_jobs (name, state, stages, parameters, priority, max_attempts, created_at, updated_at, key_set)
                        VALUES (@name, 'active', @stages, @parameters, @priority, @maxAttempts, @now, @now, @keySet)
                        RETURNING id
                        """,
                        transaction)
                    .With("name", p.Name)
                    .With("stages", JsonSerializer.Serialize(p.Stages, StoreJsonContext.Default.IReadOnlyListStageDefinition))
                    .With("parameters", p.Parameters)
                    .With("priority", p.Priority)
                    .With("maxAttempts", p.MaxAttempts)
                    .With("keySet", p.KeySet)
                    .With("now", now)
                    .ScalarAsync(cancellationToken))!;

                for (var i = 0; i < p.Stages.Count; i++)
                {
                    await connection.Command("INSERT INTO hj_job_stages (job_id, stage, name, type, mode) VALUES (@job, @stage, @name, @type, @mode)", transaction)
                        .With("job", jobId)
                        .With("stage", i)
                        .With("name", p.Stages[i].Name)
                        .With("type", p.Stages[i].Type)
                        .With("mode", p.Stages[i].Mode == StageMode.Barrier ? "barrier" : "streaming")
                        .ExecAsync(cancellationToken);
                }

                var chunks = new NewChunks(jobId, 0, p.Stages[0].Type, ChunkState.Pending, p.Priority, p.MaxAttempts, p.ChunkInputs, now);
                var count = p.StaleKeys is { } stale
                    ? await InsertStaleKeyChunksAsync(connection, transaction, chunks, stale, cancellationToken)
                    : await Dialect.InsertChunksAsync(connection, transaction, chunks, cancellationToken);
                if (p.Fire is { } fired)
                {
                    await connection.Command("UPDATE hj_schedules SET last_job_id = @job WHERE id = @id", transaction)
                        .With("job", jobId).With("id", fired.ScheduleId).ExecAsync(cancellationToken);
                    await LogAsync(connection, transaction, fired.Log?.Invoke(jobId), cancellationToken);
                }

                await NotifyAsync(connection, transaction, cancellationToken);
                return new JobInserted(jobId, count);
            },
            cancellationToken);

    /// <summary>
    /// The stale keys cut into chunks by the database (the inputs of <paramref name="chunks"/> are not read): in
    /// <see cref="KeySetStaleAsync"/>'s order, numbered, grouped by number.
    /// </summary>
    private async Task<long> InsertStaleKeyChunksAsync(DbConnection connection, DbTransaction transaction, NewChunks chunks, StaleKeyChunks split, CancellationToken cancellationToken)
    {
        var count = await connection.Command(
                $"""
                INSERT INTO hj_chunks (job_id, stage, type, state, priority, input, max_attempts, created_at, updated_at)
                SELECT @job, @stage, @type, @state, @priority, {Dialect.KeysInput("key", "rn")}, @max, @now, @now
                FROM (
                    SELECT key, rn, (rn - 1) / @size AS g
                    FROM (
                        SELECT key, row_number() OVER (ORDER BY CASE WHEN refreshed_at IS NULL THEN 0 ELSE 1 END, refreshed_at, key) AS rn
                        FROM hj_keys
                        WHERE set_name = @set AND (refreshed_at IS NULL OR refreshed_at < @before)
                    ) AS numbered
                    WHERE rn <= @limit
                ) AS grouped
                GROUP BY g
                ORDER BY g
                """,
                transaction)
            .With("job", chunks.JobId).With("stage", chunks.Stage).With("type", chunks.Type).With("state", chunks.State.ToDb())
            .With("priority", chunks.Priority).With("max", chunks.MaxAttempts).With("now", chunks.NowMs)
            .With("size", (long)split.Size).With("set", split.Keys.Set).With("before", split.Keys.RefreshedBefore).With("limit", (long)split.Keys.Limit)
            .ExecAsync(cancellationToken);
        if (count == 0)
        {
            // Thrown inside the transaction: the job is not inserted either.
            throw new NoStaleKeysException(split.Keys.Set);
        }

        await Dialect.ChunksInsertedAsync(connection, transaction, count, cancellationToken);
        return count;
    }

    public Task<JobRow?> JobGetAsync(long jobId, CancellationToken cancellationToken) =>
        WithConnectionAsync(
            async connection => (await connection.Command($"SELECT {JobColumns} FROM hj_jobs WHERE id = @id")
                .With("id", jobId)
                .ListAsync(ReadJob, cancellationToken)).FirstOrDefault(),
            cancellationToken);

    public Task<IReadOnlyList<JobSummary>> JobListAsync(JobListParams p, CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<JobSummary>>(
            async connection =>
            {
                var sql = $"SELECT {JobColumns} FROM hj_jobs WHERE 1 = 1"
                    + (p.State is null ? "" : " AND state = @state")
                    + (p.BeforeId is null ? "" : " AND id < @before")
                    + " ORDER BY id DESC LIMIT @limit";
                var command = connection.Command(sql).With("limit", Math.Clamp(p.Limit, 1, 1000));
                if (p.State is { } state)
                {
                    command.With("state", state.ToDb());
                }

                if (p.BeforeId is { } before)
                {
                    command.With("before", before);
                }

                var jobs = await command.ListAsync(ReadJob, cancellationToken);
                if (jobs.Count == 0)
                {
                    return [];
                }

                if (!p.Counts)
                {
                    return jobs.Select(job => new JobSummary(job, new Dictionary<ChunkState, long>(), ChunkCounters.Zero)).ToList();
                }

                // A pruned job's counts are its last recount: its chunks are gone, or going.
                var pruned = await PrunedJobIdsAsync(connection, jobs.Select(j => j.Id).ToList(), cancellationToken);
                var counts = connection.Command("");
                var live = jobs.Select(j => j.Id).Where(id => !pruned.Contains(id)).ToList();
                var parts = new List<string>();
                if (live.Count > 0)
                {
                    parts.Add($"SELECT job_id, state, COUNT(*), SUM(done), SUM(good), SUM(bad) FROM ({ChunkRanges.OfJobs("job_id, state, done, good, bad", $"job_id IN ({counts.InList("j", live)})")}) AS c GROUP BY job_id, state");
                }

                if (pruned.Count > 0)
                {
                    parts.Add($"SELECT job_id, state, SUM(chunks), SUM(done), SUM(good), SUM(bad) FROM hj_job_stats WHERE job_id IN ({counts.InList("p", [.. pruned])}) GROUP BY job_id, state");
                }

                counts.CommandText = string.Join(" UNION ALL ", parts);
                var rows = await counts.ListAsync(
                    r => (JobId: r.GetInt64(0), State: ChunkStates.Parse(r.GetString(1)), Count: r.GetInt64(2),
                        Counters: new ChunkCounters(r.GetInt64(3), r.GetInt64(4), r.GetInt64(5))),
                    cancellationToken);
                return jobs.Select(job =>
                {
                    var mine = rows.Where(r => r.JobId == job.Id).ToList();
                    return new JobSummary(
                        job,
                        mine.ToDictionary(r => r.State, r => r.Count),
                        mine.Aggregate(ChunkCounters.Zero, (sum, r) => sum + r.Counters));
                }).ToList();
            },
            cancellationToken);

    public Task<IReadOnlyList<StageStateCount>> JobStageCountsAsync(JobStageCountsParams p, CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<StageStateCount>>(
            async connection => await connection.Command(
                    (await PrunedJobIdsAsync(connection, [p.JobId], cancellationToken)).Count > 0
                        ? "SELECT stage, state, chunks, done, good, bad, 0 FROM hj_job_stats WHERE job_id = @job ORDER BY stage, state"
                        : $"""
                        SELECT stage, state, COUNT(*), SUM(done), SUM(good), SUM(bad), SUM(CASE WHEN finished_at >= @since THEN 1 ELSE 0 END)
                        FROM ({ChunkRanges.OfJobs("stage, state, done, good, bad, finished_at", "job_id = @job")}) AS c
                        GROUP BY stage, state ORDER BY stage, state
                        """)
                .With("job", p.JobId).With("since", p.FinishedSince)
                .ListAsync(
                    r => new StageStateCount(r.GetInt32(0), ChunkStates.Parse(r.GetString(1)), r.GetInt64(2), new ChunkCounters(r.GetInt64(3), r.GetInt64(4), r.GetInt64(5)), r.GetInt64(6)),
                    cancellationToken),
            cancellationToken);

    public Task<bool> JobCancelAsync(JobChangeParams p, CancellationToken cancellationToken) =>
        JobChangeAsync(
            p,
            "UPDATE hj_jobs SET state = 'cancelled', updated_at = @now, finished_at = @now WHERE id = @job AND state IN ('active', 'paused')",
            $"""
            UPDATE hj_chunks SET state = 'cancelled', epoch = epoch + 1, lease_owner = NULL, lease_expires_at = NULL,
                finished_at = @now, updated_at = @now
            WHERE job_id = @job AND {ChunkRanges.OpenStates} AND {ChunkRanges.Open}
            """,
            notify: false,
            cancellationToken,
            // The holds it ends go to the chunks' history before the statement clears their holders.
            (connection, transaction) => EndHoldsAsync(connection, transaction, "job_id = @job", Chunks.HoldEndings.Cancelled, "job cancelled", p.Now, c => c.With("job", p.JobId), cancellationToken));

    public Task<bool> JobPauseAsync(JobChangeParams p, CancellationToken cancellationToken) =>
        JobChangeAsync(
            p,
            "UPDATE hj_jobs SET state = 'paused', updated_at = @now WHERE id = @job AND state = 'active'",
            // Held chunks keep their holder: its next checkpoint is written and told to yield, so no work is lost.
            $"UPDATE hj_chunks SET state = 'paused', updated_at = @now WHERE job_id = @job AND state IN ('pending', 'running') AND {ChunkRanges.Open}",
            notify: false,
            cancellationToken);

    public Task<bool> JobResumeAsync(JobChangeParams p, CancellationToken cancellationToken) =>
        JobChangeAsync(
            p,
            "UPDATE hj_jobs SET state = 'active', updated_at = @now WHERE id = @job AND state = 'paused'",
            $"""
            UPDATE hj_chunks SET state = CASE WHEN lease_owner IS NULL THEN 'pending' ELSE 'running' END, updated_at = @now
            WHERE job_id = @job AND state = 'paused' AND {ChunkRanges.Settled}
            """,
            notify: true,
            cancellationToken);

    public Task<IReadOnlyList<long>> JobFinishCompletedAsync(JobFinishParams p, CancellationToken cancellationToken) =>
        InTransactionAsync<IReadOnlyList<long>>(
            async (connection, transaction) =>
            {
                var finished = await connection.Command(
                    $"""
                    UPDATE hj_jobs SET
                        state = CASE WHEN EXISTS (SELECT 1 FROM hj_chunks c WHERE c.job_id = hj_jobs.id AND c.state IN ('failed', 'quarantined') AND {ChunkRanges.Settled})
                            THEN 'failed' ELSE 'completed' END,
                        finished_at = @now, updated_at = @now
                    WHERE state = 'active'
                      AND NOT EXISTS (SELECT 1 FROM hj_chunks c WHERE c.job_id = hj_jobs.id AND c.{ChunkRanges.OpenStates} AND c.{ChunkRanges.Open})
                      AND NOT EXISTS (SELECT 1 FROM hj_job_stages s WHERE s.job_id = hj_jobs.id AND s.mode = 'barrier' AND s.released = 0)
                    RETURNING id, state
                    """,
                    transaction)
                    .With("now", p.Now)
                    .ListAsync(r => new FinishedJob(r.GetInt64(0), JobStates.Parse(r.GetString(1))), cancellationToken);
                foreach (var job in finished)
                {
                    await LogAsync(connection, transaction, p.Log?.Invoke(job), cancellationToken);
                }

                return finished.Select(j => j.JobId).ToList();
            },
            cancellationToken);

    private Task<bool> JobChangeAsync(
        JobChangeParams p,
        string jobSql,
        string chunkSql,
        bool notify,
        CancellationToken cancellationToken,
        Func<DbConnection, DbTransaction, Task<int>>? beforeChunks = null) =>
        InTransactionAsync(
            async (connection, transaction) =>
            {
                var changed = await connection.Command(jobSql, transaction).With("job", p.JobId).With("now", p.Now).ExecAsync(cancellationToken);
                if (changed == 0)
                {
                    return false;
                }

                if (beforeChunks is not null)
                {
                    await beforeChunks(connection, transaction);
                }

                await connection.Command(chunkSql, transaction).With("job", p.JobId).With("now", p.Now).ExecAsync(cancellationToken);
                await LogAsync(connection, transaction, p.Log is { } log ? log with { JobId = p.JobId } : null, cancellationToken);
                if (notify)
                {
                    await NotifyAsync(connection, transaction, cancellationToken);
                }

                return true;
            },
            cancellationToken);

    private static JobRow ReadJob(DbDataReader r) => new(
        r.GetInt64(0),
        r.GetString(1),
        JobStates.Parse(r.GetString(2)),
        JsonSerializer.Deserialize(r.GetString(3), StoreJsonContext.Default.ListStageDefinition) ?? [],
        r.GetString(4),
        r.GetInt32(5),
        r.GetInt32(6),
        StoreTime.FromMs(r.GetInt64(7)),
        StoreTime.FromMs(r.GetInt64(8)),
        StoreTime.FromMs(r.NullableInt64(9)));
}
