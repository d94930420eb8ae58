using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace HeavyJobs.Bench.Modes;

/// <summary>
/// The bare SQL ceiling: one process looping a batched claim and a batched complete over hj_chunks, with no
/// job system around it. Same table, same indexes, same claim order; nothing else (no handler, no outputs,
/// no holders list, no heartbeat). Prints "ready", waits for "go" on stdin, drains, prints its figures.
/// </summary>
internal static class CeilingMode
{
    private const string PgClaim =
        """
        UPDATE hj_chunks c SET state = 'running', lease_owner = $1, epoch = c.epoch + 1, lease_expires_at = $2, updated_at = $3
        FROM (SELECT id FROM hj_chunks WHERE state = 'pending' AND type = $4 ORDER BY progressed DESC, priority DESC, id LIMIT $5 FOR UPDATE SKIP LOCKED) p
        WHERE c.id = p.id
        RETURNING c.id
        """;

    private const string PgComplete =
        "UPDATE hj_chunks SET state = 'done', progressed = 1, lease_owner = NULL, lease_expires_at = NULL, finished_at = $1, updated_at = $1 WHERE id = ANY($2)";

    private const string SqliteClaim =
        """
        UPDATE hj_chunks SET state = 'running', lease_owner = @w, epoch = epoch + 1, lease_expires_at = @e, updated_at = @n
        WHERE id IN (SELECT id FROM hj_chunks WHERE state = 'pending' AND type = @t ORDER BY progressed DESC, priority DESC, id LIMIT @max)
        RETURNING id
        """;

    private const string SqliteComplete =
        "UPDATE hj_chunks SET state = 'done', progressed = 1, lease_owner = NULL, lease_expires_at = NULL, finished_at = @n, updated_at = @n WHERE id IN (SELECT value FROM json_each(@ids))";

    public static async Task<int> RunAsync(Args args)
    {
        var db = args.Get("db");
        var batch = args.Int("batch", 1000);
        var worker = args.Int("worker", 1);
        long count;
        long start;
        if (BenchStores.IsPostgres(db))
        {
            await using var source = NpgsqlDataSource.Create(db);
            await using var connection = await source.OpenConnectionAsync();
            await using var claim = new NpgsqlCommand(PgClaim, connection);
            claim.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = (long)worker });
            claim.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = 0L });
            claim.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = 0L });
            claim.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = BenchHandlers.NoOp });
            claim.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = batch });
            await using var complete = new NpgsqlCommand(PgComplete, connection);
            complete.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = 0L });
            complete.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint, Value = Array.Empty<long>() });
            await claim.PrepareAsync();
            await complete.PrepareAsync();
            (start, count) = await LoopAsync(async () =>
            {
                var now = Clock.NowUs() / 1000;
                claim.Parameters[1].Value = now + 30_000;
                claim.Parameters[2].Value = now;
                var ids = await ReadIdsAsync(claim);
                if (ids.Count > 0)
                {
                    complete.Parameters[0].Value = Clock.NowUs() / 1000;
                    complete.Parameters[1].Value = ids.ToArray();
                    await complete.ExecuteNonQueryAsync();
                }

                return ids.Count;
            });
        }
        else
        {
            await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ToString());
            await connection.OpenAsync();
            await using (var pragma = connection.CreateCommand())
            {
                pragma.CommandText = $"PRAGMA busy_timeout = 30000; PRAGMA synchronous = {args.Get("sync", "FULL")}";
                await pragma.ExecuteNonQueryAsync();
            }

            (start, count) = await LoopAsync(async () =>
            {
                var now = Clock.NowUs() / 1000;
                List<long> ids;
                await using (var tx = (SqliteTransaction)await connection.BeginTransactionAsync())
                await using (var claim = new SqliteCommand(SqliteClaim, connection, tx))
                {
                    claim.Parameters.AddWithValue("@w", (long)worker);
                    claim.Parameters.AddWithValue("@e", now + 30_000);
                    claim.Parameters.AddWithValue("@n", now);
                    claim.Parameters.AddWithValue("@t", BenchHandlers.NoOp);
                    claim.Parameters.AddWithValue("@max", batch);
                    ids = await ReadIdsAsync(claim);
                    await tx.CommitAsync();
                }

                if (ids.Count > 0)
                {
                    await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync();
                    await using var complete = new SqliteCommand(SqliteComplete, connection, tx);
                    complete.Parameters.AddWithValue("@n", Clock.NowUs() / 1000);
                    complete.Parameters.AddWithValue("@ids", "[" + string.Join(',', ids) + "]");
                    await complete.ExecuteNonQueryAsync();
                    await tx.CommitAsync();
                }

                return ids.Count;
            });
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ceiling {start} {Clock.NowUs()} {count}"));
        return 0;
    }

    private static async Task<(long Start, long Count)> LoopAsync(Func<Task<int>> round)
    {
        Console.WriteLine("ready");
        if (await Console.In.ReadLineAsync() != "go")
        {
            throw new InvalidOperationException("expected 'go' on stdin");
        }

        var start = Clock.NowUs();
        long count = 0;
        while (await round() is > 0 and var n)
        {
            count += n;
        }

        return (start, count);
    }

    private static async Task<List<long>> ReadIdsAsync(DbCommand command)
    {
        var ids = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }
}
