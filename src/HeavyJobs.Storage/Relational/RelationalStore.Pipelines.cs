using HeavyJobs.Storage.Pipelines;
using HeavyJobs.Storage.Politeness;
using HeavyJobs.Storage.Schedules;

namespace HeavyJobs.Storage.Relational;

public abstract partial class RelationalStore
{
    public Task<IReadOnlyList<StageReleased>> JobAdvanceStagesAsync(JobAdvanceParams p, CancellationToken cancellationToken) =>
        InTransactionAsync<IReadOnlyList<StageReleased>>(
            async (connection, transaction) =>
            {
                // The first unreleased barrier of each active job, if nothing before it can still run.
                var ready = await connection.Command(
                        $"""
                        SELECT s.job_id, s.stage, s.name, s.type FROM hj_job_stages s JOIN hj_jobs j ON j.id = s.job_id
                        WHERE j.state = 'active' AND s.mode = 'barrier' AND s.released = 0
                          AND NOT EXISTS (SELECT 1 FROM hj_job_stages e WHERE e.job_id = s.job_id AND e.stage < s.stage AND e.mode = 'barrier' AND e.released = 0)
                          AND NOT EXISTS (SELECT 1 FROM hj_chunks c WHERE c.job_id = s.job_id AND c.stage < s.stage
                                          AND {ChunkRanges.OpenStates} AND {ChunkRanges.Open})
                        ORDER BY s.job_id, s.stage
                        """,
                        transaction)
                    .ListAsync(r => (Job: r.GetInt64(0), Stage: r.GetInt32(1), Name: r.GetString(2), Type: r.GetString(3)), cancellationToken);
                var released = new List<StageReleased>();
                foreach (var (job, stage, name, type) in ready)
                {
                    var moved = await connection.Command(
                            $"UPDATE hj_chunks SET state = 'pending', updated_at = @now WHERE job_id = @job AND stage = @stage AND state = 'waiting' AND {ChunkRanges.Open}",
                            transaction)
                        .With("now", p.Now).With("job", job).With("stage", stage).ExecAsync(cancellationToken);
                    var created = false;
                    // The finished part is read only when no chunk of the stage is open.
                    var existing = moved > 0 || await connection.Command(
                            $"""
                            SELECT 1 FROM hj_chunks WHERE job_id = @job AND stage = @stage AND {ChunkRanges.Open}
                            UNION ALL SELECT 1 FROM hj_chunks WHERE job_id = @job AND {ChunkRanges.Finished} AND stage = @stage
                            LIMIT 1
                            """,
                            transaction)
                        .With("job", job).With("stage", stage).ScalarAsync(cancellationToken) is not null;
                    if (!existing)
                    {
                        // A barrier stage nobody emitted into still runs once: an aggregator over what came before.
                        await connection.Command(
                                """
                                INSERT INTO hj_chunks (job_id, stage, type, state, priority, input, dedupe_key, max_attempts, created_at, updated_at)
                                SELECT @job, @stage, @type, 'pending', j.priority, @input, @key, j.max_attempts, @now, @now FROM hj_jobs j WHERE j.id = @job
                                ON CONFLICT DO NOTHING
                                """,
                                transaction)
                            .With("job", job).With("stage", stage).With("type", type).With("now", p.Now)
                            .With("input", $$"""{"stage":{{stage}}}""").With("key", $"barrier:{stage}")
                            .ExecAsync(cancellationToken);
                        created = true;
                    }

                    await connection.Command("UPDATE hj_job_stages SET released = 1 WHERE job_id = @job AND stage = @stage", transaction)
                        .With("job", job).With("stage", stage).ExecAsync(cancellationToken);
                    var release = new StageReleased(job, stage, name, created ? 1 : moved, created);
                    await LogAsync(connection, transaction, p.Log?.Invoke(release), cancellationToken);
                    released.Add(release);
                }

                if (released.Count > 0)
                {
                    await NotifyAsync(connection, transaction, cancellationToken);
                }

                return released;
            },
            cancellationToken);

    public Task<long> ScheduleUpsertAsync(ScheduleUpsertParams p, CancellationToken cancellationToken) =>
        InTransactionAsync(
            async (connection, transaction) => (long)(await connection.Command(
                    """
                    INSERT INTO hj_schedules (name, cron, definition, catch_up, next_run_at, created_at) VALUES (@name, @cron, @def, @catch, @next, @now)
                    ON CONFLICT (name) DO UPDATE SET cron = excluded.cron, definition = excluded.definition, catch_up = excluded.catch_up,
                        next_run_at = excluded.next_run_at, enabled = 1
                    RETURNING id
                    """,
                    transaction)
                .With("name", p.Name).With("cron", p.Cron).With("def", p.Definition).With("catch", p.CatchUp).With("next", p.NextRunAt).With("now", p.Now)
                .ScalarAsync(cancellationToken))!,
            cancellationToken);

    public Task<IReadOnlyList<ScheduleRow>> ScheduleListAsync(CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<ScheduleRow>>(
            async connection => await connection.Command(
                    "SELECT id, name, cron, definition, catch_up, enabled, next_run_at, last_run_at, last_job_id FROM hj_schedules ORDER BY name")
                .ListAsync(
                    r => new ScheduleRow(
                        r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt32(5) != 0,
                        StoreTime.FromMs(r.GetInt64(6)), StoreTime.FromMs(r.NullableInt64(7)), r.NullableInt64(8)),
                    cancellationToken),
            cancellationToken);

    public Task ScheduleAdvanceAsync(ScheduleAdvanceParams p, CancellationToken cancellationToken) =>
        InTransactionAsync(
            async (connection, transaction) =>
            {
                var moved = await connection.Command(
                        """
                        UPDATE hj_schedules SET next_run_at = @next,
                            last_run_at = COALESCE(@ran, last_run_at), last_job_id = COALESCE(@job, last_job_id)
                        WHERE id = @id AND (@due IS NULL OR next_run_at = @due)
                        """,
                        transaction)
                    .With("next", p.NextRunAt).With("ran", p.RanAt is { } ran ? StoreTime.ToMs(ran) : null).With("job", p.JobId).With("id", p.Id)
                    .With("due", p.Due is { } due ? StoreTime.ToMs(due) : null)
                    .ExecAsync(cancellationToken);
                // Two managers that both saw the run due (one of them led a moment ago) log it once: the one that moved it.
                if (moved > 0)
                {
                    await LogAsync(connection, transaction, p.Log, cancellationToken);
                }

                return moved;
            },
            cancellationToken);

    public Task<DateTimeOffset> RateReserveAsync(RateReserveParams p, CancellationToken cancellationToken) =>
        InTransactionAsync((connection, transaction) => ReserveAsync(connection, transaction, p.Server, p.Interval, p.Now, p.NotBefore, cancellationToken), cancellationToken);

    private async Task<DateTimeOffset> ReserveAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, string server, TimeSpan interval, DateTimeOffset now, DateTimeOffset? notBefore, CancellationToken cancellationToken)
    {
        // One row per server holds the earliest free start; each reservation takes it (or the caller's earliest,
        // if later) and pushes it on by the interval, stretched while the server is being slowed down after it
        // pushed back.
        var step = $"CAST(@interval * (CASE WHEN slow_until > @now THEN slow_factor ELSE 1 END) AS BIGINT)";
        var sql = $"UPDATE hj_rate_limits SET next_at = {Dialect.Greatest("next_at", "@floor")} + {step} WHERE server = @server RETURNING next_at - {step}";
        var floor = notBefore is { } earliest && earliest > now ? earliest : now;
        var start = await connection.Command(sql, transaction)
            .With("now", now).With("floor", floor).With("interval", (long)interval.TotalMilliseconds).With("server", server)
            .ScalarAsync(cancellationToken);
        if (start is null)
        {
            // The server's first reservation ever: its row is made once, not on every turn.
            await connection.Command("INSERT INTO hj_rate_limits (server, next_at) VALUES (@server, 0) ON CONFLICT (server) DO NOTHING", transaction)
                .With("server", server).ExecAsync(cancellationToken);
            start = await connection.Command(sql, transaction)
                .With("now", now).With("floor", floor).With("interval", (long)interval.TotalMilliseconds).With("server", server)
                .ScalarAsync(cancellationToken);
        }

        return StoreTime.FromMs(Convert.ToInt64(start, System.Globalization.CultureInfo.InvariantCulture));
    }

    public Task<ManagerAgenda> ManagerAgendaAsync(ManagerAgendaParams p, CancellationToken cancellationToken) =>
        WithConnectionAsync(
            async connection => (await connection.Command(
                    """
                    SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM hj_jobs WHERE state IN ('active', 'paused') LIMIT 1) AS a),
                        (SELECT MIN(next_run_at) FROM hj_schedules WHERE enabled = 1),
                        (SELECT MIN(lease_expires_at) FROM hj_chunks WHERE lease_owner IS NOT NULL),
                        (SELECT MIN(heartbeat_at + beat_ms * @missed) FROM hj_nodes WHERE state = 'up'),
                        CASE WHEN EXISTS (SELECT 1 FROM hj_fleet_targets) THEN
                            (SELECT COUNT(*) + COALESCE(MAX(updated_at), 0) FROM hj_fleet_targets)
                            + (SELECT COUNT(*) + COALESCE(MAX(state_at), 0) FROM hj_nodes)
                            + (SELECT COUNT(*) + COALESCE(MAX(updated_at), 0) FROM hj_worker_targets WHERE pinned = 1)
                        ELSE 0 END
                    """)
                .With("missed", p.MissedBeats)
                .ListAsync(
                    r => new ManagerAgenda(
                        r.GetInt64(0) > 0,
                        r.NullableInt64(1) is { } next ? StoreTime.FromMs(next) : null,
                        r.NullableInt64(2) is { } lease ? StoreTime.FromMs(lease) : null,
                        r.NullableInt64(3) is { } deadline ? StoreTime.FromMs(deadline) : null,
                        r.GetInt64(4)),
                    cancellationToken))[0],
            cancellationToken);

    public Task<bool> RateTurnStandsAsync(RateTurnParams p, CancellationToken cancellationToken) =>
        WithConnectionAsync(
            async connection => await connection.Command("SELECT 1 FROM hj_rate_limits WHERE server = @server AND pushed_back_at >= @reserved")
                .With("server", p.Server).With("reserved", p.ReservedAt).ScalarAsync(cancellationToken) is null,
            cancellationToken);

    public Task<RateBackOff> RateBackOffAsync(RateBackOffParams p, CancellationToken cancellationToken) =>
        InTransactionAsync(
            async (connection, transaction) =>
            {
                await connection.Command("INSERT INTO hj_rate_limits (server, next_at) VALUES (@server, 0) ON CONFLICT (server) DO NOTHING", transaction)
                    .With("server", p.Server).ExecAsync(cancellationToken);
                // Every SET expression reads the row as it was. A push-back while the pause still runs is the same
                // incident reported by another worker: it changes nothing. One after the pause, while starts are
                // still slowed, doubles the slow-down.
                const string sameIncident = "next_at > @now AND slow_until > @now";
                var result = (await connection.Command(
                        $"""
                        UPDATE hj_rate_limits SET
                            slow_factor = CASE WHEN {sameIncident} THEN slow_factor
                                               WHEN slow_until > @now THEN {Dialect.Least("slow_factor * 2", "@max")}
                                               ELSE 2 END,
                            slow_until = CASE WHEN {sameIncident} THEN slow_until ELSE @slowUntil END,
                            next_at = CASE WHEN {sameIncident} THEN next_at ELSE {Dialect.Greatest("next_at", "@resume")} END,
                            pushed_back_at = CASE WHEN {sameIncident} THEN pushed_back_at ELSE @now END
                        WHERE server = @server
                        RETURNING next_at, slow_factor, slow_until, CASE WHEN slow_until = @slowUntil THEN 1 ELSE 0 END
                        """,
                        transaction)
                    .With("now", p.Now).With("max", p.MaxFactor).With("slowUntil", p.Now + p.SlowFor).With("resume", p.Now + p.Pause).With("server", p.Server)
                    .ListAsync(
                        r => new RateBackOff(StoreTime.FromMs(r.GetInt64(0)), r.GetDouble(1), StoreTime.FromMs(r.GetInt64(2)), Convert.ToInt64(r.GetValue(3), System.Globalization.CultureInfo.InvariantCulture) == 1),
                        cancellationToken))[0];
                if (result.NewIncident && p.Incident is { } incident)
                    await InsertActionAsync(connection, transaction, incident with { Reason = $"{incident.Reason}: {result.Describe()}" }, cancellationToken);
                return result;
            },
            cancellationToken);

    public Task<int?> ServerSlotAcquireAsync(ServerSlotAcquireParams p, CancellationToken cancellationToken) =>
        InTransactionAsync((connection, transaction) => TakeSlotAsync(connection, transaction, p.Server, p.Slots, p.HoldUntil, p.Now, cancellationToken), cancellationToken);

    public Task<ServerTurn?> ServerTurnTakeAsync(ServerTurnTakeParams p, CancellationToken cancellationToken) =>
        InTransactionAsync<ServerTurn?>(
            async (connection, transaction) =>
            {
                int? slot;
                if (p.Held is { } held)
                {
                    // The holder passes its slot on to its next request: the hold starts again, the slot stays taken.
                    var renewed = await connection.Command("UPDATE hj_server_slots SET busy_until = @until WHERE server = @server AND slot = @slot", transaction)
                        .With("until", p.HoldUntil).With("server", p.Server).With("slot", held).ExecAsync(cancellationToken);
                    slot = renewed == 1 ? held : null;
                }
                else
                {
                    slot = await TakeSlotAsync(connection, transaction, p.Server, p.Slots, p.HoldUntil, p.Now, cancellationToken);
                }

                // No slot, no turn: a turn reserved for a request that cannot go would only leave a gap.
                return slot is { } taken ? new ServerTurn(taken, await ReserveAsync(connection, transaction, p.Server, p.Interval, p.Now, p.NotBefore, cancellationToken)) : null;
            },
            cancellationToken);

    private async Task<int?> TakeSlotAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, string server, int slots, DateTimeOffset holdUntil, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // A slot whose holder died frees itself when its hold runs out.
        var sql = $"""
            UPDATE hj_server_slots SET busy_until = @until
            WHERE server = @server AND slot = (
                SELECT slot FROM hj_server_slots WHERE server = @server AND slot < @slots AND busy_until <= @now
                ORDER BY slot LIMIT 1{Dialect.ForUpdate})
            RETURNING slot
            """;
        var taken = await connection.Command(sql, transaction)
            .With("until", holdUntil).With("server", server).With("slots", slots).With("now", now)
            .ScalarAsync(cancellationToken);
        if (taken is null
            && Convert.ToInt64(await connection.Command("SELECT COUNT(*) FROM hj_server_slots WHERE server = @server AND slot < @slots", transaction)
                .With("server", server).With("slots", slots).ScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) < slots)
        {
            // Slots are made when first wanted (a server's first request, or a larger limit), not on every request.
            for (var slot = 0; slot < slots; slot++)
            {
                await connection.Command("INSERT INTO hj_server_slots (server, slot, busy_until) VALUES (@server, @slot, 0) ON CONFLICT (server, slot) DO NOTHING", transaction)
                    .With("server", server).With("slot", slot).ExecAsync(cancellationToken);
            }

            taken = await connection.Command(sql, transaction)
                .With("until", holdUntil).With("server", server).With("slots", slots).With("now", now)
                .ScalarAsync(cancellationToken);
        }

        return taken is null ? null : Convert.ToInt32(taken, System.Globalization.CultureInfo.InvariantCulture);
    }

    public Task ServerSlotReleaseAsync(ServerSlotReleaseParams p, CancellationToken cancellationToken) =>
        InTransactionAsync(
            async (connection, transaction) => await connection.Command("UPDATE hj_server_slots SET busy_until = 0 WHERE server = @server AND slot = @slot", transaction)
                .With("server", p.Server).With("slot", p.Slot).ExecAsync(cancellationToken),
            cancellationToken);
}
