using System.Data.Common;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.KeySets;

namespace HeavyJobs.Storage.Relational;

public abstract partial class RelationalStore
{
    public async Task<long> KeySetLoadAsync(KeySetLoadParams p, CancellationToken cancellationToken)
    {
        long added = 0;
        // Batches keep each transaction short, so a load of millions of keys does not hold the writer for long.
        foreach (var batch in p.Keys.Chunk(InsertBatch))
        {
            added += await InTransactionAsync(
                async (connection, transaction) =>
                {
                    var command = connection.Command("", transaction).With("set", p.Set).With("now", p.Now);
                    var rows = new string[batch.Length];
                    for (var i = 0; i < batch.Length; i++)
                    {
                        rows[i] = $"(@set, @k{i}, @now)";
                        command.With($"k{i}", batch[i]);
                    }

                    command.CommandText = $"INSERT INTO hj_keys (set_name, key, added_at) VALUES {string.Join(", ", rows)} ON CONFLICT (set_name, key) DO NOTHING";
                    return (long)await command.ExecAsync(cancellationToken);
                },
                cancellationToken);
        }

        return added;
    }

    public Task<IReadOnlyList<string>> KeySetStaleAsync(KeySetStaleParams p, CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<string>>(
            async connection =>
            {
                // Two index range scans instead of one sort: where NULLs sort differs between the databases.
                var keys = await connection.Command("SELECT key FROM hj_keys WHERE set_name = @set AND refreshed_at IS NULL ORDER BY key LIMIT @limit")
                    .With("set", p.Set).With("limit", p.Limit).ListAsync(r => r.GetString(0), cancellationToken);
                if (keys.Count < p.Limit)
                {
                    keys.AddRange(await connection.Command("SELECT key FROM hj_keys WHERE set_name = @set AND refreshed_at < @before ORDER BY refreshed_at, key LIMIT @limit")
                        .With("set", p.Set).With("before", p.RefreshedBefore).With("limit", p.Limit - keys.Count).ListAsync(r => r.GetString(0), cancellationToken));
                }

                return keys;
            },
            cancellationToken);

    public Task<IReadOnlyList<KeySetEntry>> KeySetReadAsync(KeySetReadParams p, CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<KeySetEntry>>(
            async connection => await connection.Command(
                    $"""
                    SELECT key, refreshed_at, latest FROM hj_keys
                    WHERE set_name = (SELECT key_set FROM hj_jobs WHERE id = @job) AND (@after IS NULL OR key > @after)
                    {(p.NotMarkedOnly ? "AND (marked_by IS NULL OR marked_by <> @job)" : "")}
                    ORDER BY key LIMIT @limit
                    """)
                .With("job", p.JobId).With("after", p.AfterKey).With("limit", p.Limit)
                .ListAsync(r => new KeySetEntry(r.GetString(0), r.NullableInt64(1) is { } at ? StoreTime.FromMs(at) : null, r.NullableString(2)), cancellationToken),
            cancellationToken);

    public Task<IReadOnlyList<KeySetStatus>> KeySetStatusAsync(KeySetStatusParams p, CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<KeySetStatus>>(
            async connection => await connection.Command(
                    """
                    SELECT set_name, COUNT(*), SUM(CASE WHEN refreshed_at IS NULL THEN 1 ELSE 0 END),
                        SUM(CASE WHEN refreshed_at < @before THEN 1 ELSE 0 END), MIN(refreshed_at), MAX(refreshed_at)
                    FROM hj_keys WHERE @set IS NULL OR set_name = @set
                    GROUP BY set_name ORDER BY set_name
                    """)
                .With("before", p.RefreshedBefore).With("set", p.Set)
                .ListAsync(
                    r => new KeySetStatus(
                        r.GetString(0),
                        r.GetInt64(1),
                        r.GetInt64(2),
                        r.GetInt64(3),
                        r.NullableInt64(4) is { } oldest ? StoreTime.FromMs(oldest) : null,
                        r.NullableInt64(5) is { } newest ? StoreTime.FromMs(newest) : null),
                    cancellationToken),
            cancellationToken);

    /// <summary>Marks keys of the checkpointing job's key set as refreshed, in the checkpoint's transaction.</summary>
    private static async Task MarkFreshAsync(DbConnection connection, DbTransaction transaction, ChunkCheckpointParams p, CancellationToken cancellationToken)
    {
        if (p.Fresh is not { Count: > 0 } fresh)
        {
            return;
        }

        // The last word on a key within one checkpoint wins. An attempt leaves the refresh and the record as they
        // were; either way the key is this job's now.
        foreach (var f in fresh.GroupBy(f => f.Key, StringComparer.Ordinal).Select(g => g.Last()))
        {
            await connection.Command(
                    $"""
                    UPDATE hj_keys SET marked_by = @job{(f.Refreshed ? ", refreshed_at = @now, latest = COALESCE(@latest, latest)" : "")}
                    WHERE set_name = (SELECT key_set FROM hj_jobs WHERE id = @job) AND key = @key
                    """,
                    transaction)
                .With("now", p.Now).With("latest", f.Latest).With("job", p.JobId).With("key", f.Key)
                .ExecAsync(cancellationToken);
        }
    }
}
