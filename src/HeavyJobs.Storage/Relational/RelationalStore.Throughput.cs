using HeavyJobs.Storage.Throughput;

namespace HeavyJobs.Storage.Relational;

public abstract partial class RelationalStore
{
    public Task ThroughputAddAsync(ThroughputAddParams p, CancellationToken cancellationToken)
    {
        // One row per bucket and key: an upsert may not touch the same row twice in one statement.
        var rows = p.Samples
            .GroupBy(s => (s.BucketMs, s.WorkerId, s.Type, s.Stage))
            .Select(g => (g.Key, Items: g.Sum(s => s.Items), Good: g.Sum(s => s.Good), Bad: g.Sum(s => s.Bad)))
            .ToList();
        if (rows.Count == 0)
        {
            return Task.CompletedTask;
        }

        return InTransactionAsync(
            async (connection, transaction) =>
            {
                foreach (var batch in rows.Chunk(InsertBatch))
                {
                    var command = connection.Command("", transaction);
                    var values = new string[batch.Length];
                    for (var i = 0; i < batch.Length; i++)
                    {
                        var (key, items, good, bad) = batch[i];
                        values[i] = $"(@b{i}, @w{i}, @t{i}, @s{i}, @n{i}, @g{i}, @x{i})";
                        command.With($"b{i}", key.BucketMs).With($"w{i}", key.WorkerId).With($"t{i}", key.Type).With($"s{i}", key.Stage)
                            .With($"n{i}", items).With($"g{i}", good).With($"x{i}", bad);
                    }

                    command.CommandText =
                        $"""
                        INSERT INTO hj_throughput (bucket, worker_id, type, stage, items, good, bad) VALUES {string.Join(", ", values)}
                        ON CONFLICT (bucket, worker_id, type, stage) DO UPDATE SET
                            items = hj_throughput.items + excluded.items,
                            good = hj_throughput.good + excluded.good,
                            bad = hj_throughput.bad + excluded.bad
                        """;
                    await command.ExecAsync(cancellationToken);
                }

                return 0;
            },
            cancellationToken);
    }

    public Task<IReadOnlyList<ThroughputRow>> ThroughputListAsync(ThroughputListParams p, CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<ThroughputRow>>(
            async connection =>
            {
                var command = connection.Command("").With("from", p.From).With("to", p.To);
                var filters = "";
                if (p.WorkerId is { } worker)
                {
                    filters += " AND worker_id = @worker";
                    command.With("worker", worker);
                }

                if (p.Type is { } type)
                {
                    filters += " AND type = @type";
                    command.With("type", type);
                }

                command.CommandText = p.StepMs is { } step && step >= 60_000
                    ? await ThroughputStepSqlAsync(connection, command, StoreTime.ToMs(p.From), StoreTime.ToMs(p.To), step / 60_000 * 60_000, filters, cancellationToken)
                    : $"SELECT bucket, worker_id, type, stage, items, good, bad FROM hj_throughput WHERE bucket >= @from AND bucket < @to{filters} ORDER BY bucket, worker_id, type, stage";
                return await command.ListAsync(
                    r => new ThroughputRow(StoreTime.FromMs(r.GetInt64(0)), r.GetInt64(1), r.GetString(2), r.GetInt32(3), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6)),
                    cancellationToken);
            },
            cancellationToken);
}
