using System.Data.Common;
using HeavyJobs.Storage.Actions;

namespace HeavyJobs.Storage.Relational;

public abstract partial class RelationalStore
{
    public Task ActionInsertAsync(ActionInsertParams p, CancellationToken cancellationToken) =>
        InTransactionAsync((connection, transaction) => InsertActionAsync(connection, transaction, p, cancellationToken), cancellationToken);

    /// <summary>Logs the action that explains a change in the change's own transaction: both land, or neither.</summary>
    private static Task LogAsync(DbConnection connection, DbTransaction transaction, ActionInsertParams? log, CancellationToken cancellationToken) =>
        log is null ? Task.CompletedTask : InsertActionAsync(connection, transaction, log, cancellationToken);

    /// <summary>Logs an action in the caller's transaction: with the change it explains, or not at all.</summary>
    private static Task<int> InsertActionAsync(DbConnection connection, DbTransaction transaction, ActionInsertParams p, CancellationToken cancellationToken) =>
        connection.Command(
                """
                INSERT INTO hj_actions (at, actor, kind, node, worker_id, job_id, chunk_id, reason)
                VALUES (@at, @actor, @kind, @node, @worker, @job, @chunk, @reason)
                """,
                transaction)
            .With("at", p.Now)
            .With("actor", p.Actor)
            .With("kind", p.Kind)
            .With("node", p.Node)
            .With("worker", p.WorkerId)
            .With("job", p.JobId)
            .With("chunk", p.ChunkId)
            .With("reason", p.Reason)
            .ExecAsync(cancellationToken);

    public Task<IReadOnlyList<ActionRow>> ActionListAsync(ActionListParams p, CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<ActionRow>>(
            async connection =>
            {
                var command = connection.Command("").With("limit", Math.Clamp(p.Limit, 1, 10_000));
                var sql = "SELECT id, at, actor, kind, node, worker_id, job_id, chunk_id, reason FROM hj_actions WHERE 1 = 1";
                if (p.BeforeId is { } before)
                {
                    sql += " AND id < @before";
                    command.With("before", before);
                }

                if (p.Kind is { } kind)
                {
                    sql += " AND kind = @kind";
                    command.With("kind", kind);
                }

                if (p.Node is { } node)
                {
                    sql += " AND node = @node";
                    command.With("node", node);
                }

                if (p.WorkerId is { } worker)
                {
                    sql += " AND worker_id = @worker";
                    command.With("worker", worker);
                }

                if (p.ChunkId is { } chunk)
                {
                    sql += " AND chunk_id = @chunk";
                    command.With("chunk", chunk);
                }

                if (p.JobId is { } job)
                {
                    sql += " AND job_id = @job";
                    command.With("job", job);
                }

                command.CommandText = sql + " ORDER BY id DESC LIMIT @limit";
                return await command.ListAsync(
                    r => new ActionRow(
                        r.GetInt64(0),
                        StoreTime.FromMs(r.GetInt64(1)),
                        r.GetString(2),
                        r.GetString(3),
                        r.NullableString(4),
                        r.NullableInt64(5),
                        r.NullableInt64(6),
                        r.NullableInt64(7),
                        r.GetString(8)),
                    cancellationToken);
            },
            cancellationToken);
}
