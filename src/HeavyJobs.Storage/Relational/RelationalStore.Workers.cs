using System.Data.Common;
using System.Text.Json;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Nodes;
using HeavyJobs.Storage.Workers;

namespace HeavyJobs.Storage.Relational;

public abstract partial class RelationalStore
{
    private const string WorkerColumns =
        "id, node, pid, types, version, state, started_at, heartbeat_at, stopped_at, exit_reason, current_chunk, " +
        "cpu_percent, rss_bytes, items_per_s, restarts, stderr_tail, worker_version";

    public Task NodeUpsertAsync(NodeUpsertParams p, CancellationToken cancellationToken) =>
        InTransactionAsync(
            async (connection, transaction) => await connection.Command(
                    """
                    INSERT INTO hj_nodes (name, boot_id, version, capacity, started_at, heartbeat_at)
                    VALUES (@name, @boot, @version, @capacity, @now, @now)
                    ON CONFLICT (name) DO UPDATE SET
                        started_at = CASE WHEN hj_nodes.boot_id = excluded.boot_id THEN hj_nodes.started_at ELSE excluded.started_at END,
                        boot_id = excluded.boot_id, version = excluded.version, capacity = excluded.capacity,
                        heartbeat_at = excluded.heartbeat_at
                    """,
                    transaction)
                .With("name", p.Name)
                .With("boot", p.BootId)
                .With("version", p.Version)
                .With("capacity", p.Capacity)
                .With("now", p.Now)
                .ExecAsync(cancellationToken),
            cancellationToken);

    public Task<IReadOnlyList<NodeRow>> NodeListAsync(CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<NodeRow>>(
            async connection => await connection.Command("SELECT name, boot_id, version, capacity, started_at, heartbeat_at, state, drained, pid, host, beat_ms, state_at FROM hj_nodes ORDER BY name")
                .ListAsync(
                    r => new NodeRow(
                        r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3), StoreTime.FromMs(r.GetInt64(4)), StoreTime.FromMs(r.GetInt64(5)),
                        r.GetString(6), r.GetInt32(7) != 0, r.GetInt32(8), r.GetString(9), TimeSpan.FromMilliseconds(r.GetInt64(10)), StoreTime.FromMs(r.GetInt64(11))),
                    cancellationToken),
            cancellationToken);

    public Task<long> WorkerRegisterAsync(WorkerRegisterParams p, CancellationToken cancellationToken) =>
        InTransactionAsync(
            async (connection, transaction) => (long)(await connection.Command(
                    """
                    INSERT INTO hj_workers (node, pid, types, version, state, started_at, heartbeat_at, restarts)
                    VALUES (@node, @pid, @types, @version, 'starting', @now, @now, @restarts)
                    RETURNING id
                    """,
                    transaction)
                .With("node", p.Node)
                .With("pid", p.Pid)
                .With("types", JsonSerializer.Serialize(p.Types, StoreJsonContext.Default.IReadOnlyListString))
                .With("version", p.Version)
                .With("now", p.Now)
                .With("restarts", p.Restarts)
                .ScalarAsync(cancellationToken))!,
            cancellationToken);

    public Task WorkerUpdateManyAsync(WorkerUpdateManyParams p, CancellationToken cancellationToken) =>
        p.Updates.Count == 0
            ? Task.CompletedTask
            : InTransactionAsync(
                async (connection, transaction) =>
                {
                    // One statement for a whole machine's workers: a heartbeat costs the same for one worker or fifty.
                    foreach (var batch in p.Updates.Chunk(100))
                    {
                        var command = connection.Command("", transaction).With("now", p.Now);
                        var rows = new string[batch.Length];
                        for (var i = 0; i < batch.Length; i++)
                        {
                            var u = batch[i];
                            rows[i] = $"(@id{i}, @state{i}, @chunk{i}, @cpu{i}, @rss{i}, @ips{i}, @stderr{i}, @exit{i}, @pid{i}, @wv{i})";
                            command.With($"id{i}", u.WorkerId).With($"state{i}", u.State.ToDb()).With($"chunk{i}", u.CurrentChunk)
                                .With($"cpu{i}", u.CpuPercent).With($"rss{i}", u.RssBytes).With($"ips{i}", u.ItemsPerSecond)
                                .With($"stderr{i}", u.StderrTail).With($"exit{i}", u.ExitReason).With($"pid{i}", u.Pid is { } pid ? pid : (long?)null)
                                .With($"wv{i}", u.WorkerVersion);
                        }

                        // VALUES columns are named column1..columnN by both databases.
                        command.CommandText =
                            $"""
                            UPDATE hj_workers SET state = v.column2, current_chunk = v.column3, cpu_percent = v.column4, rss_bytes = v.column5,
                                items_per_s = v.column6, heartbeat_at = @now,
                                stderr_tail = COALESCE(v.column7, stderr_tail),
                                exit_reason = COALESCE(v.column8, exit_reason),
                                pid = COALESCE(v.column9, pid),
                                worker_version = COALESCE(v.column10, worker_version),
                                stopped_at = CASE WHEN v.column2 = 'exited' THEN COALESCE(stopped_at, @now) ELSE NULL END
                            FROM (VALUES {string.Join(", ", rows)}) AS v
                            WHERE hj_workers.id = v.column1
                            """;
                        await command.ExecAsync(cancellationToken);
                    }

                    return 0;
                },
                cancellationToken);

    public Task<IReadOnlyList<WorkerRow>> WorkerListAsync(WorkerListParams p, CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<WorkerRow>>(
            async connection =>
            {
                var sql = $"SELECT {WorkerColumns} FROM hj_workers WHERE 1 = 1"
                    + (p.Node is null ? "" : " AND node = @node")
                    + (p.IncludeExited ? "" : " AND state <> 'exited'")
                    + " ORDER BY id DESC LIMIT @limit";
                var command = connection.Command(sql).With("limit", Math.Clamp(p.Limit, 1, 10_000));
                if (p.Node is { } node)
                {
                    command.With("node", node);
                }

                return await command.ListAsync(ReadWorker, cancellationToken);
            },
            cancellationToken);

    private static WorkerRow ReadWorker(DbDataReader r) => new(
        r.GetInt64(0),
        r.GetString(1),
        r.GetInt32(2),
        JsonSerializer.Deserialize(r.GetString(3), StoreJsonContext.Default.ListString) ?? [],
        r.GetString(4),
        WorkerStates.Parse(r.GetString(5)),
        StoreTime.FromMs(r.GetInt64(6)),
        StoreTime.FromMs(r.GetInt64(7)),
        StoreTime.FromMs(r.NullableInt64(8)),
        r.NullableString(9),
        r.NullableInt64(10),
        r.GetDouble(11),
        r.GetInt64(12),
        r.GetDouble(13),
        r.GetInt32(14),
        r.NullableString(15),
        r.NullableString(16));
}
