using System.Data.Common;
using HeavyJobs.Storage.Fleet;
using HeavyJobs.Storage.Nodes;

namespace HeavyJobs.Storage.Relational;

/// <summary>The fleet's rows: machines joining, beating and declared dead, drains, the leader's epoch, fleet targets.</summary>
public abstract partial class RelationalStore
{
    public Task<NodeJoined> NodeJoinAsync(NodeJoinParams p, CancellationToken cancellationToken) =>
        InTransactionAsync(
            async (connection, transaction) =>
            {
                var before = await connection.Command("SELECT boot_id, state, drained FROM hj_nodes WHERE name = @name", transaction)
                    .With("name", p.Name)
                    .ListAsync(r => new NodeJoined(r.GetString(0), r.GetString(1) == NodeStates.Dead, r.GetInt32(2) != 0), cancellationToken);
                // state_at moves whenever the fleet's shape changes (a machine joins, comes back, dies, is drained):
                // the manager re-spreads fleet targets when it sees it move.
                await connection.Command(
                        """
                        INSERT INTO hj_nodes (name, boot_id, version, capacity, started_at, heartbeat_at, state, state_at, pid, host, beat_ms)
                        VALUES (@name, @boot, @version, @capacity, @now, @now, 'up', @now, @pid, @host, @beat)
                        ON CONFLICT (name) DO UPDATE SET
                            started_at = CASE WHEN hj_nodes.boot_id = excluded.boot_id THEN hj_nodes.started_at ELSE excluded.started_at END,
                            state_at = CASE WHEN hj_nodes.state <> 'up' OR hj_nodes.boot_id <> excluded.boot_id OR hj_nodes.capacity <> excluded.capacity THEN excluded.state_at ELSE hj_nodes.state_at END,
                            boot_id = excluded.boot_id, version = excluded.version, capacity = excluded.capacity, heartbeat_at = excluded.heartbeat_at,
                            state = 'up', pid = excluded.pid, host = excluded.host, beat_ms = excluded.beat_ms
                        """,
                        transaction)
                    .With("name", p.Name)
                    .With("boot", p.BootId)
                    .With("version", p.Version)
                    .With("capacity", p.Capacity)
                    .With("now", p.Now)
                    .With("pid", p.Pid)
                    .With("host", p.Host)
                    .With("beat", (long)p.Beat.TotalMilliseconds)
                    .ExecAsync(cancellationToken);
                return before.Count == 0 ? new NodeJoined(null, false, false) : before[0];
            },
            cancellationToken);

    public Task<NodeBeat> NodeBeatAsync(NodeBeatParams p, CancellationToken cancellationToken) =>
        WithConnectionAsync(
            async connection =>
            {
                // One statement without a transaction: a machine's heartbeat is most of what an idle fleet costs.
                var rows = await connection.Command("UPDATE hj_nodes SET heartbeat_at = @now WHERE name = @name AND boot_id = @boot RETURNING state, drained")
                    .With("now", p.Now)
                    .With("name", p.Name)
                    .With("boot", p.BootId)
                    .ListAsync(r => (Dead: r.GetString(0) == NodeStates.Dead, Drained: r.GetInt32(1) != 0), cancellationToken);
                if (rows.Count == 0)
                {
                    return new NodeBeat(false, false, false);
                }

                if (rows[0].Dead)
                {
                    // Declared dead while it lived (frozen, or cut off): it is back; its old work was already freed.
                    await connection.Command("UPDATE hj_nodes SET state = 'up', state_at = @now WHERE name = @name AND boot_id = @boot AND state = 'dead'")
                        .With("now", p.Now)
                        .With("name", p.Name)
                        .With("boot", p.BootId)
                        .ExecAsync(cancellationToken);
                }

                return new NodeBeat(true, rows[0].Dead, rows[0].Drained);
            },
            cancellationToken);

    public Task<NodeDeclaredDead?> NodeDeclareDeadAsync(NodeDeclareDeadParams p, CancellationToken cancellationToken) =>
        InTransactionAsync(
            async (connection, transaction) =>
            {
                // The heartbeat is looked at again under the write: a beat that arrived since the manager looked wins.
                var marked = await connection.Command(
                        "UPDATE hj_nodes SET state = 'dead', state_at = @now WHERE name = @name AND state = 'up' AND heartbeat_at < @cutoff",
                        transaction)
                    .With("now", p.Now)
                    .With("name", p.Name)
                    .With("cutoff", p.Cutoff)
                    .ExecAsync(cancellationToken);
                if (marked == 0)
                {
                    return null;
                }

                var workers = await connection.Command("SELECT id, current_chunk FROM hj_workers WHERE node = @name AND state NOT IN ('exited', 'lost')", transaction)
                    .With("name", p.Name)
                    .ListAsync(r => (Id: r.GetInt64(0), Chunk: r.NullableInt64(1)), cancellationToken);
                await connection.Command(
                        "UPDATE hj_workers SET state = 'lost', stopped_at = @now, exit_reason = @reason WHERE node = @name AND state NOT IN ('exited', 'lost')",
                        transaction)
                    .With("now", p.Now)
                    .With("reason", p.Reason)
                    .With("name", p.Name)
                    .ExecAsync(cancellationToken);
                var started = workers.Where(w => w.Chunk is not null).Select(w => w.Chunk!.Value).Distinct().ToList();
                // Every chunk a worker of the machine held goes back with its cursor at once. The fleet gave up on the
                // machine; nothing shows a chunk killed it, so no death counts toward quarantine, and only chunks
                // that had started get a note of it. Chunks it had only claimed ahead go back as if released.
                var freed = await ReclaimInAsync(
                    connection,
                    transaction,
                    "lease_owner IN (SELECT w.id FROM hj_workers w WHERE w.node = @name)",
                    p.Reason,
                    workerId: null,
                    running: started,
                    p.Now,
                    quarantineAfter: int.MaxValue,
                    charge: false,
                    cancellationToken,
                    extra: c => c.With("name", p.Name));
                var dead = new NodeDeclaredDead(p.Name, workers.Select(w => w.Id).ToList(), freed.Count, started);
                await LogAsync(connection, transaction, p.Log?.Invoke(dead), cancellationToken);
                return dead;
            },
            cancellationToken);

    public Task<bool> NodeDrainAsync(NodeDrainParams p, CancellationToken cancellationToken) =>
        InTransactionAsync(
            async (connection, transaction) =>
            {
                var changed = await connection.Command("UPDATE hj_nodes SET drained = @drained, state_at = @now WHERE name = @name AND drained <> @drained", transaction)
                    .With("drained", p.Drained)
                    .With("now", p.Now)
                    .With("name", p.Name)
                    .ExecAsync(cancellationToken);
                if (changed > 0)
                {
                    await LogAsync(connection, transaction, p.Log, cancellationToken);
                    await NotifyAsync(connection, transaction, cancellationToken);
                }

                return changed > 0;
            },
            cancellationToken);

    public Task<long> LeaderTakeAsync(LeaderTakeParams p, CancellationToken cancellationToken) =>
        InTransactionAsync(
            async (connection, transaction) =>
            {
                var epoch = (long)(await connection.Command(
                        "UPDATE hj_leader SET epoch = epoch + 1, holder = @holder, since = @now WHERE id = 1 RETURNING epoch",
                        transaction)
                    .With("holder", p.Holder)
                    .With("now", p.Now)
                    .ScalarAsync(cancellationToken))!;
                await LogAsync(connection, transaction, p.Log?.Invoke(epoch), cancellationToken);
                return epoch;
            },
            cancellationToken);

    public Task<LeaderRow> LeaderGetAsync(CancellationToken cancellationToken) =>
        WithConnectionAsync(
            async connection => (await connection.Command("SELECT epoch, holder, since FROM hj_leader WHERE id = 1")
                .ListAsync(r => new LeaderRow(r.GetInt64(0), r.GetString(1), StoreTime.FromMs(r.GetInt64(2))), cancellationToken))[0],
            cancellationToken);

    public Task FleetTargetSetAsync(FleetTargetSetParams p, CancellationToken cancellationToken) =>
        InTransactionAsync(
            async (connection, transaction) =>
            {
                await connection.Command(
                        """
                        INSERT INTO hj_fleet_targets (type, count, updated_at) VALUES (@type, @count, @now)
                        ON CONFLICT (type) DO UPDATE SET count = excluded.count, updated_at = excluded.updated_at
                        """,
                        transaction)
                    .With("type", p.Type)
                    .With("count", p.Count)
                    .With("now", p.Now)
                    .ExecAsync(cancellationToken);
                await LogAsync(connection, transaction, p.Log, cancellationToken);
                await NotifyAsync(connection, transaction, cancellationToken);
                return 0;
            },
            cancellationToken);

    public Task<IReadOnlyList<FleetTargetRow>> FleetTargetListAsync(CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<FleetTargetRow>>(
            async connection => await connection.Command("SELECT type, count, updated_at FROM hj_fleet_targets ORDER BY type")
                .ListAsync(r => new FleetTargetRow(r.GetString(0), r.GetInt32(1), StoreTime.FromMs(r.GetInt64(2))), cancellationToken),
            cancellationToken);

    public Task<int> WorkerTargetSpreadAsync(WorkerTargetSpreadParams p, CancellationToken cancellationToken) =>
        p.Targets.Count == 0
            ? Task.FromResult(0)
            : InTransactionAsync(
                async (connection, transaction) =>
                {
                    var changed = 0;
                    foreach (var t in p.Targets)
                    {
                        // A row an operator pinned is not the spread's to change.
                        changed += await connection.Command(
                                """
                                INSERT INTO hj_worker_targets (node, type, count, updated_at, pinned) VALUES (@node, @type, @count, @now, 0)
                                ON CONFLICT (node, type) DO UPDATE SET count = excluded.count, updated_at = excluded.updated_at
                                WHERE hj_worker_targets.pinned = 0 AND hj_worker_targets.count <> excluded.count
                                """,
                                transaction)
                            .With("node", t.Node)
                            .With("type", t.Type)
                            .With("count", t.Count)
                            .With("now", p.Now)
                            .ExecAsync(cancellationToken);
                    }

                    if (changed > 0)
                    {
                        foreach (var action in p.Log ?? [])
                            await LogAsync(connection, transaction, action, cancellationToken);
                        await NotifyAsync(connection, transaction, cancellationToken);
                    }

                    return changed;
                },
                cancellationToken);

    public Task WorkerTargetUnpinAsync(WorkerTargetUnpinParams p, CancellationToken cancellationToken) =>
        InTransactionAsync(
            async (connection, transaction) =>
            {
                // The manager's next spread gives the machine its share; until then it keeps its count.
                await connection.Command("UPDATE hj_worker_targets SET pinned = 0, updated_at = @now WHERE node = @node AND type = @type", transaction)
                    .With("now", p.Now)
                    .With("node", p.Node)
                    .With("type", p.Type)
                    .ExecAsync(cancellationToken);
                await LogAsync(connection, transaction, p.Log, cancellationToken);
                await NotifyAsync(connection, transaction, cancellationToken);
                return 0;
            },
            cancellationToken);

    /// <summary>
    /// The statement that makes the database end this transaction if it sits idle longer than
    /// <paramref name="limit"/> (its process frozen between two statements); null where a frozen writer blocks no
    /// other manager (SQLite: the leader's lock file is held as long as the process lives).
    /// </summary>
    protected virtual string? IdleTransactionLimitSql(TimeSpan limit) => null;

    /// <summary>Refuses the transaction unless <paramref name="epoch"/> is still the leader's (see <see cref="StoreFence"/>).</summary>
    private async Task CheckFenceAsync(DbConnection connection, DbTransaction transaction, long epoch, CancellationToken cancellationToken)
    {
        if (StoreFence.IdleLimit is { } limit && IdleTransactionLimitSql(limit) is { } sql)
        {
            await connection.Command(sql, transaction).ExecAsync(cancellationToken);
        }

        // Writing the row (to itself) locks it: a new leader's epoch bump waits for this transaction, or came first.
        var held = await connection.Command("UPDATE hj_leader SET epoch = epoch WHERE id = 1 AND epoch = @epoch", transaction)
            .With("epoch", epoch)
            .ExecAsync(cancellationToken);
        if (held == 0)
        {
            throw new LeadershipLostException(epoch);
        }
    }
}
