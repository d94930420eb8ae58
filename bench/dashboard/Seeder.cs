using System.Data.Common;
using System.Diagnostics;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Nodes;
using HeavyJobs.Storage.Postgres;
using HeavyJobs.Storage.Sqlite;
using HeavyJobs.Storage.Workers;
using Microsoft.Data.Sqlite;

namespace HeavyJobs.Bench.Dashboard;

/// <summary>What the seeder made, for the pages to ask about.</summary>
internal sealed record Seeded(long BigJobId, long SmallJobId, long WorkerId, string Node, long ChunkId, long ThroughputRows, long Actions, double Seconds);

/// <summary>
/// Fills a store at fleet scale quickly: jobs and chunks through the store's bulk insert (COPY on PostgreSQL),
/// machines and workers through its methods, and the chunks' states, a month of per-minute throughput rows and the
/// action log with set-based SQL. Nothing here is how the system writes; it only makes the rows it would have made.
/// </summary>
internal static class Seeder
{
    public const int Jobs = 20;
    public const int Nodes = 10;
    public const string Type = "bench.fetch";

    public static async Task<Seeded> RunAsync(IHeavyStore store, BenchOptions o, DateTimeOffset now, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var nowMs = now.ToUnixTimeMilliseconds();
        for (var n = 0; n < Nodes; n++)
        {
            await store.NodeUpsertAsync(new NodeUpsertParams(NodeName(n), $"boot-{n}", "0.1.0", 16, now), ct);
        }

        var workers = new List<long>();
        for (var w = 0; w < o.Workers; w++)
        {
            workers.Add(await store.WorkerRegisterAsync(new WorkerRegisterParams(NodeName(w % Nodes), 10_000 + w, [Type], "0.1.0", 0, now.AddHours(-6)), ct));
        }

        // One big backfill with most chunks, and smaller jobs around it.
        var small = Math.Max(1, o.Chunks / 10 / (Jobs - 1));
        var big = o.Chunks - (small * (Jobs - 1));
        long bigJob = 0, smallJob = 0;
        for (var j = 0; j < Jobs; j++)
        {
            var count = j == 0 ? big : small;
            var inserted = await store.JobInsertAsync(
                new JobInsertParams(
                    j == 0 ? "backfill <all> domains" : $"refresh batch {j}",
                    [new StageDefinition("fetch", Type, StageMode.Streaming), new StageDefinition("parse", "bench.parse", StageMode.Streaming)],
                    """{"tld":"com"}""",
                    Enumerable.Range(0, count).Select(i => $$"""{"from":{{i * 100}},"to":{{(i + 1) * 100}}}"""),
                    0,
                    3,
                    now.AddDays(-j)),
                ct);
            (bigJob, smallJob) = j == 0 ? (inserted.JobId, smallJob) : (bigJob, inserted.JobId);
        }

        // Every worker holds one chunk, as a busy fleet does.
        foreach (var w in workers)
        {
            await store.ChunkClaimAsync(new ChunkClaimParams(w, [Type], 1, now, TimeSpan.FromHours(1)), ct);
        }

        await store.WorkerUpdateManyAsync(
            new WorkerUpdateManyParams(workers.Select(w => new WorkerUpdate(w, Core.Model.WorkerState.Busy, null, 85, 200L << 20, 40, "fetching\n")).ToList(), now),
            ct);

        long throughputRows, actions;
        if (store is PostgresStore pg)
        {
            await using var connection = await pg.DataSource.OpenConnectionAsync(ct);
            (throughputRows, actions) = await FillAsync(connection, postgres: true, bigJob, o, nowMs, ct);
        }
        else
        {
            await using var connection = new SqliteConnection($"Data Source={((SqliteStore)store).Path};Pooling=False");
            await connection.OpenAsync(ct);
            (throughputRows, actions) = await FillAsync(connection, postgres: false, bigJob, o, nowMs, ct);
        }

        var chunk = (await store.ChunkListAsync(new ChunkListParams(bigJob, Limit: 1), ct))[0].Id;
        return new Seeded(bigJob, smallJob, workers[0], NodeName(0), chunk, throughputRows, actions, sw.Elapsed.TotalSeconds);
    }

    public static string NodeName(int n) => $"server-{n:00}";

    private static async Task<(long Throughput, long Actions)> FillAsync(DbConnection c, bool postgres, long bigJob, BenchOptions o, long nowMs, CancellationToken ct)
    {
        var holders = postgres ? "ARRAY[(id % @workers) + 1]" : "'[' || ((id % @workers) + 1) || ']'";
        var errors = postgres
            ? """jsonb_build_array(jsonb_build_object('at', @now, 'worker', 1, 'error', 'timeout talking to <whois.example>'))"""
            : """'[{"at":' || @now || ',"worker":1,"error":"timeout talking to <whois.example>"}]'""";
        var minutes = o.Days * 1440;
        var series = postgres
            ? "SELECT i FROM generate_series(0, @minutes - 1) AS g(i)"
            : "WITH RECURSIVE m(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM m WHERE i < @minutes - 1) SELECT i FROM m";
        var actionSeries = postgres
            ? "SELECT i FROM generate_series(0, @actions - 1) AS g(i)"
            : "WITH RECURSIVE m(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM m WHERE i < @actions - 1) SELECT i FROM m";
        var node = postgres ? "'server-' || lpad(((i % 10))::text, 2, '0')" : "'server-0' || (i % 10)";
        long actions = Math.Min(200_000, o.Chunks / 5);

        string[] statements =
        [
            // 60% of the big job and every other small job are done, over the last hour; some chunks failed with an error that has markup in it.
            $"""
            UPDATE hj_chunks SET state = 'done', done = 100, good = 97, bad = 3, cursor = '100', attempts = 1, holders = {holders},
                started_at = @now - 3600000 - (id % 3600) * 1000, finished_at = @now - (id % 3600) * 1000, updated_at = @now
            WHERE state = 'pending' AND ((job_id = @big AND id % 5 < 3) OR (job_id <> @big AND job_id % 2 = 0))
            """,
            $"""
            UPDATE hj_chunks SET state = 'failed', attempts = 3, errors = {errors}, holders = {holders}, finished_at = @now, updated_at = @now
            WHERE state = 'pending' AND job_id = @big AND id % 997 = 0
            """,
            "UPDATE hj_jobs SET state = 'completed', finished_at = @now WHERE id <> @big AND id % 2 = 0",
            $"""
            INSERT INTO hj_throughput (bucket, worker_id, type, stage, items, good, bad)
            SELECT (@now / 60000 - @minutes + m.i) * 60000, w.id, CASE WHEN w.id % 4 = 0 THEN 'bench.parse' ELSE '{Type}' END,
                CASE WHEN w.id % 4 = 0 THEN 1 ELSE 0 END, 100 + (m.i + w.id) % 40, 97 + (m.i + w.id) % 40, 3
            FROM ({series}) AS m, hj_workers w
            """,
            $"""
            INSERT INTO hj_actions (at, actor, kind, node, worker_id, job_id, chunk_id, reason)
            SELECT @now - (@actions - a.i) * 1000, 'monitor', CASE WHEN a.i % 50 = 0 THEN 'kill' WHEN a.i % 2 = 0 THEN 'start' ELSE 'exit' END,
                {node.Replace("i %", "a.i %", StringComparison.Ordinal)}, (a.i % @workers) + 1, @big, a.i + 1, 'seeded <b>action</b>'
            FROM ({actionSeries}) AS a
            """,
        ];

        await using var tx = await c.BeginTransactionAsync(ct);
        foreach (var sql in statements)
        {
            await using var command = c.CreateCommand();
            command.Transaction = tx;
            command.CommandText = sql;
            command.CommandTimeout = 0;
            Add(command, "now", nowMs);
            Add(command, "big", bigJob);
            Add(command, "workers", (long)o.Workers);
            Add(command, "minutes", (long)minutes);
            Add(command, "actions", actions);
            await command.ExecuteNonQueryAsync(ct);
        }

        await tx.CommitAsync(ct);
        await using (var analyze = c.CreateCommand())
        {
            analyze.CommandText = "ANALYZE";
            analyze.CommandTimeout = 0;
            await analyze.ExecuteNonQueryAsync(ct);
        }

        return ((long)minutes * o.Workers, actions);
    }

    private static void Add(DbCommand command, string name, long value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
    }
}
