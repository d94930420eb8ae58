using System.Data.Common;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Dashboard;
using HeavyJobs.Storage.Jobs;

namespace HeavyJobs.Storage.Relational;

public abstract partial class RelationalStore
{
    /// <summary>The roll-up tables of per-minute throughput, finest first, and their bucket widths.</summary>
    private static readonly (string Table, long WidthMs)[] ThroughputLevels = [("hj_throughput_10m", 600_000), ("hj_throughput_2h", 7_200_000)];

    /// <summary>Jobs recounted per statement.</summary>
    private const int StatsBatch = 200;

    /// <summary>Time folded per write transaction, so a first roll-up of a long history never holds the write lock for long.</summary>
    private const long RollUpMsPerTransaction = 6 * 3_600_000;

    public async Task<JobStatsRefreshed> JobStatsRefreshAsync(JobStatsRefreshParams p, CancellationToken cancellationToken)
    {
        var now = StoreTime.ToMs(p.Now);
        var targets = await WithConnectionAsync(
            connection => connection.Command(
                    """
                    SELECT j.id FROM hj_jobs j LEFT JOIN hj_job_stats_jobs s ON s.job_id = j.id
                    WHERE j.pruned_at IS NULL AND (j.state IN ('active', 'paused', 'failed') OR s.job_id IS NULL OR j.updated_at >= s.refreshed_at
                        OR (j.finished_at IS NOT NULL AND j.finished_at >= s.refreshed_at))
                    ORDER BY j.id
                    """)
                .ListAsync(r => r.GetInt64(0), cancellationToken),
            cancellationToken);

        long chunks = 0;
        foreach (var batch in targets.Chunk(StatsBatch))
        {
            chunks += await JobStatsRecountAsync(batch, now, cancellationToken);
        }

        return new JobStatsRefreshed(targets.Count, chunks);
    }

    /// <summary>Recounts the chunks of these jobs into hj_job_stats; returns how many chunks were counted.</summary>
    private async Task<long> JobStatsRecountAsync(IReadOnlyList<long> batch, long now, CancellationToken cancellationToken)
    {
        // Counted on a read connection: a snapshot that holds no write lock, so workers carry on meanwhile.
        var rows = await WithConnectionAsync(
            async connection =>
            {
                var command = connection.Command("").With("recent", now - (long)JobProgress.Window.TotalMilliseconds);
                command.CommandText =
                    $"""
                    SELECT job_id, stage, state, COUNT(*), SUM(done), SUM(good), SUM(bad), SUM(CASE WHEN finished_at >= @recent THEN 1 ELSE 0 END)
                    FROM ({ChunkRanges.OfJobs("job_id, stage, state, done, good, bad, finished_at", $"job_id IN ({command.InList("j", batch)})")}) AS c
                    GROUP BY job_id, stage, state
                    """;
                return await command.ListAsync(
                    r => new JobStatsRow(r.GetInt64(0), r.GetInt32(1), ChunkStates.Parse(r.GetString(2)), r.GetInt64(3), new ChunkCounters(r.GetInt64(4), r.GetInt64(5), r.GetInt64(6)), r.GetInt64(7)),
                    cancellationToken);
            },
            cancellationToken);

        await InTransactionAsync(
            async (connection, transaction) =>
            {
                var delete = connection.Command("", transaction);
                delete.CommandText = $"DELETE FROM hj_job_stats WHERE job_id IN ({delete.InList("j", batch)})";
                await delete.ExecAsync(cancellationToken);
                if (rows.Count > 0)
                {
                    var insert = connection.Command("", transaction);
                    var values = rows.Select((r, i) =>
                    {
                        insert.With($"j{i}", r.JobId).With($"s{i}", r.Stage).With($"t{i}", r.State.ToDb()).With($"c{i}", r.Chunks)
                            .With($"d{i}", r.Counters.Done).With($"g{i}", r.Counters.Good).With($"b{i}", r.Counters.Bad).With($"r{i}", r.FinishedRecently);
                        return $"(@j{i}, @s{i}, @t{i}, @c{i}, @d{i}, @g{i}, @b{i}, @r{i})";
                    });
                    insert.CommandText = $"INSERT INTO hj_job_stats (job_id, stage, state, chunks, done, good, bad, finished_recent) VALUES {string.Join(", ", values)}";
                    await insert.ExecAsync(cancellationToken);
                }

                var marks = connection.Command("", transaction).With("now", now);
                marks.CommandText =
                    $"""
                    INSERT INTO hj_job_stats_jobs (job_id, refreshed_at) VALUES {string.Join(", ", batch.Select((id, i) => { marks.With($"j{i}", id); return $"(@j{i}, @now)"; }))}
                    ON CONFLICT (job_id) DO UPDATE SET refreshed_at = excluded.refreshed_at
                    """;
                await marks.ExecAsync(cancellationToken);
                return 0;
            },
            cancellationToken);

        return rows.Sum(r => r.Chunks);
    }

    public Task<IReadOnlyList<JobStats>> JobStatsListAsync(JobStatsListParams p, CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<JobStats>>(
            async connection =>
            {
                if (p.JobIds.Count == 0)
                {
                    return [];
                }

                var command = connection.Command("");
                command.CommandText =
                    $"""
                    SELECT s.job_id, s.refreshed_at, t.stage, t.state, t.chunks, t.done, t.good, t.bad, t.finished_recent
                    FROM hj_job_stats_jobs s LEFT JOIN hj_job_stats t ON t.job_id = s.job_id
                    WHERE s.job_id IN ({command.InList("j", p.JobIds)})
                    """;
                var rows = await command.ListAsync(
                    r => (JobId: r.GetInt64(0), At: r.GetInt64(1), Row: r.IsDBNull(2) ? null
                        : new JobStatsRow(r.GetInt64(0), r.GetInt32(2), ChunkStates.Parse(r.GetString(3)), r.GetInt64(4), new ChunkCounters(r.GetInt64(5), r.GetInt64(6), r.GetInt64(7)), r.GetInt64(8))),
                    cancellationToken);
                return rows.GroupBy(r => r.JobId)
                    .Select(g => new JobStats(g.Key, StoreTime.FromMs(g.First().At), g.Select(r => r.Row).OfType<JobStatsRow>().OrderBy(r => r.Stage).ThenBy(r => r.State).ToList()))
                    .ToList();
            },
            cancellationToken);

    public async Task<ThroughputRolledUp> ThroughputRollUpAsync(ThroughputRollUpParams p, CancellationToken cancellationToken)
    {
        var buckets = 0;
        var complete = long.MaxValue;
        foreach (var (table, width) in ThroughputLevels)
        {
            var upto = StoreTime.ToMs(p.Upto) / width * width;
            var mark = await WithConnectionAsync(
                async connection => await RollUpMarkAsync(connection, table, cancellationToken)
                    ?? (await connection.Command("SELECT MIN(bucket) FROM hj_throughput").ScalarAsync(cancellationToken) is { } first and not DBNull
                        ? Convert.ToInt64(first, System.Globalization.CultureInfo.InvariantCulture) / width * width
                        : upto),
                cancellationToken);

            for (var from = mark; from < upto; from += RollUpMsPerTransaction)
            {
                var to = Math.Min(upto, from + RollUpMsPerTransaction);
                await InTransactionAsync(
                    async (connection, transaction) =>
                    {
                        await connection.Command(
                                $"""
                                INSERT INTO {table} (bucket, worker_id, type, stage, items, good, bad)
                                SELECT bucket / {width} * {width}, worker_id, type, stage, SUM(items), SUM(good), SUM(bad)
                                FROM hj_throughput WHERE bucket >= @from AND bucket < @to
                                GROUP BY bucket / {width} * {width}, worker_id, type, stage
                                ON CONFLICT (bucket, worker_id, type, stage) DO UPDATE SET items = excluded.items, good = excluded.good, bad = excluded.bad
                                """,
                                transaction)
                            .With("from", from)
                            .With("to", to)
                            .ExecAsync(cancellationToken);
                        await connection.Command(
                                """
                                INSERT INTO hj_rollup_marks (name, upto) VALUES (@name, @to)
                                ON CONFLICT (name) DO UPDATE SET upto = CASE WHEN excluded.upto > hj_rollup_marks.upto THEN excluded.upto ELSE hj_rollup_marks.upto END
                                """,
                                transaction)
                            .With("name", table)
                            .With("to", to)
                            .ExecAsync(cancellationToken);
                        return 0;
                    },
                    cancellationToken);
                buckets += (int)((to - from) / width);
            }

            complete = Math.Min(complete, Math.Max(mark, upto));
        }

        return new ThroughputRolledUp(buckets, StoreTime.FromMs(complete));
    }

    private static async Task<long?> RollUpMarkAsync(DbConnection connection, string table, CancellationToken cancellationToken) =>
        await connection.Command("SELECT upto FROM hj_rollup_marks WHERE name = @name").With("name", table).ScalarAsync(cancellationToken) is { } m and not DBNull
            ? Convert.ToInt64(m, System.Globalization.CultureInfo.InvariantCulture)
            : null;

    /// <summary>
    /// Rows summed into buckets of <paramref name="stepMs"/>: the closed part of the range from the coarsest roll-up
    /// whose buckets divide the step, its ragged ends from the next finer one that does, and only what is left (less
    /// than a 10-minute bucket at either end, and what no roll-up holds yet) from the minute rows.
    /// </summary>
    private static async Task<string> ThroughputStepSqlAsync(DbConnection connection, DbCommand command, long from, long to, long stepMs, string filters, CancellationToken cancellationToken)
    {
        const string Columns = "bucket, worker_id, type, stage, items, good, bad";
        var levels = new List<(string Table, long Width, long Upto)>();
        foreach (var (table, width) in ThroughputLevels.Reverse().Where(l => stepMs % l.WidthMs == 0))
        {
            levels.Add((table, width, await RollUpMarkAsync(connection, table, cancellationToken) ?? 0));
        }

        var parts = new List<string>();
        void Cover(long f, long t, int level)
        {
            if (f >= t)
            {
                return;
            }

            var (table, width, upto) = level < levels.Count ? levels[level] : ("hj_throughput", 0L, 0L);
            var (a, b) = width == 0 ? (f, t) : ((f + width - 1) / width * width, Math.Min(upto, t / width * width));
            if (b <= a)
            {
                Cover(f, t, level + 1);
                return;
            }

            var n = parts.Count;
            command.With($"a{n}", a).With($"b{n}", b);
            parts.Add($"SELECT {Columns} FROM {table} WHERE bucket >= @a{n} AND bucket < @b{n}{filters}");
            if (width > 0)
            {
                Cover(f, a, level + 1);
                Cover(b, t, level + 1);
            }
        }

        Cover(from, to, 0);
        if (parts.Count == 0)
        {
            parts.Add($"SELECT {Columns} FROM hj_throughput WHERE 1 = 0");
        }

        return $"""
            SELECT bucket / {stepMs} * {stepMs} AS b, worker_id, type, stage, SUM(items), SUM(good), SUM(bad)
            FROM ({string.Join(" UNION ALL ", parts)}) AS t
            GROUP BY bucket / {stepMs} * {stepMs}, worker_id, type, stage
            ORDER BY b, worker_id, type, stage
            """;
    }
}
