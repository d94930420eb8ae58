using System.Data.Common;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Chunks;

namespace HeavyJobs.Storage.Relational;

public abstract partial class RelationalStore
{
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

        // Outputs and emitted chunks go in only for the chunks whose completion was accepted: a refused one wrote
        // nothing. Each kind is one set-based write for the whole batch (a statement per chunk cost a one-output
        // chunk most of its time).
        List<ChunkCompletion>? withOutputs = null, withEmitted = null;
        HashSet<long>? accepted = null;
        foreach (var item in p.Items)
        {
            var outputs = item.Outputs is { Count: > 0 };
            var emitted = item.Emitted is { Count: > 0 };
            if ((outputs || emitted) && (accepted ??= [.. completed]).Contains(item.ChunkId))
            {
                if (outputs)
                {
                    (withOutputs ??= []).Add(item);
                }

                if (emitted)
                {
                    (withEmitted ??= []).Add(item);
                }
            }
        }

        if (withOutputs is not null)
        {
            await Dialect.InsertCompletionOutputsAsync(connection, transaction, withOutputs, p.Now, cancellationToken);
        }

        if (withEmitted is not null)
        {
            await Dialect.InsertCompletionEmittedAsync(connection, transaction, withEmitted, p.Now, cancellationToken);
            await NotifyAsync(connection, transaction, cancellationToken);
        }

        return completed;
    }

    /// <summary>What a claim's statement returned: the chunks, or their ids and epochs where they are read after the commit.</summary>
    private sealed record Leased(IReadOnlyList<ClaimedChunk> Chunks, IReadOnlyDictionary<long, long> Unread)
    {
        public static readonly IReadOnlyDictionary<long, long> NoEpochs = new Dictionary<long, long>();

        public static readonly Leased None = new([], NoEpochs);
    }
}
