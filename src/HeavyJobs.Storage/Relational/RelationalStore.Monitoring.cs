using HeavyJobs.Storage.Monitoring;

namespace HeavyJobs.Storage.Relational;

public abstract partial class RelationalStore
{
    public Task WorkerTargetSetAsync(WorkerTargetSetParams p, CancellationToken cancellationToken) =>
        InTransactionAsync(
            async (connection, transaction) =>
            {
                await connection.Command(
                        """
                        INSERT INTO hj_worker_targets (node, type, count, updated_at, pinned) VALUES (@node, @type, @count, @now, 1)
                        ON CONFLICT (node, type) DO UPDATE SET count = excluded.count, updated_at = excluded.updated_at, pinned = 1
                        """,
                        transaction)
                    .With("node", p.Node)
                    .With("type", p.Type)
                    .With("count", p.Count)
                    .With("now", p.Now)
                    .ExecAsync(cancellationToken);
                await LogAsync(connection, transaction, p.Log, cancellationToken);
                await NotifyAsync(connection, transaction, cancellationToken);
                return 0;
            },
            cancellationToken);

    public Task WorkerTargetHealthAsync(WorkerTargetHealthParams p, CancellationToken cancellationToken) =>
        InTransactionAsync(
            async (connection, transaction) => await connection.Command(
                    """
                    INSERT INTO hj_worker_targets (node, type, count, crash_looping, note, updated_at, pinned) VALUES (@node, @type, 0, @looping, @note, @now, 0)
                    ON CONFLICT (node, type) DO UPDATE SET crash_looping = excluded.crash_looping, note = excluded.note
                    """,
                    transaction)
                .With("node", p.Node)
                .With("type", p.Type)
                .With("looping", p.CrashLooping)
                .With("note", p.Note)
                .With("now", p.Now)
                .ExecAsync(cancellationToken),
            cancellationToken);

    public Task<IReadOnlyList<WorkerTargetRow>> WorkerTargetListAsync(string? node, CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<WorkerTargetRow>>(
            async connection =>
            {
                var command = connection.Command(
                    "SELECT node, type, count, crash_looping, note, updated_at, pinned FROM hj_worker_targets"
                    + (node is null ? "" : " WHERE node = @node")
                    + " ORDER BY node, type");
                if (node is not null)
                {
                    command.With("node", node);
                }

                return await command.ListAsync(
                    r => new WorkerTargetRow(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetInt32(3) != 0, r.NullableString(4), StoreTime.FromMs(r.GetInt64(5)), r.GetInt32(6) != 0),
                    cancellationToken);
            },
            cancellationToken);

    public Task<long> CommandInsertAsync(CommandInsertParams p, CancellationToken cancellationToken) =>
        InTransactionAsync(
            async (connection, transaction) =>
            {
                var id = (long)(await connection.Command(
                        "INSERT INTO hj_commands (node, kind, worker_id, actor, created_at, arg) VALUES (@node, @kind, @worker, @actor, @now, @arg) RETURNING id",
                        transaction)
                    .With("node", p.Node)
                    .With("kind", p.Kind)
                    .With("worker", p.WorkerId)
                    .With("actor", p.Actor)
                    .With("now", p.Now)
                    .With("arg", p.Arg)
                    .ScalarAsync(cancellationToken))!;
                await LogAsync(connection, transaction, p.Log is { } log ? log with { Reason = $"{log.Reason} (command {id})" } : null, cancellationToken);
                await NotifyAsync(connection, transaction, cancellationToken);
                return id;
            },
            cancellationToken);

    public Task<IReadOnlyList<CommandRow>> CommandTakeAsync(CommandTakeParams p, CancellationToken cancellationToken) =>
        InTransactionAsync<IReadOnlyList<CommandRow>>(
            async (connection, transaction) =>
            {
                var rows = await connection.Command(
                        """
                        UPDATE hj_commands SET taken_at = @now WHERE node = @node AND taken_at IS NULL
                        RETURNING id, node, kind, worker_id, actor, created_at, arg
                        """,
                        transaction)
                    .With("now", p.Now)
                    .With("node", p.Node)
                    .ListAsync(r => new CommandRow(r.GetInt64(0), r.GetString(1), r.GetString(2), r.NullableInt64(3), r.GetString(4), StoreTime.FromMs(r.GetInt64(5)), r.NullableString(6)), cancellationToken);
                return rows.OrderBy(r => r.Id).ToList();
            },
            cancellationToken);
}
