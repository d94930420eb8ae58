using System.Globalization;
using HeavyJobs.Bench.Modes;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Storage.Jobs;

namespace HeavyJobs.Bench.Scenarios;

/// <summary>
/// A burn-down of <see cref="BenchHandlers.Shaped"/> chunks on a running fleet of worker processes, measured as
/// <see cref="BurndownScenario"/> measures its own: from the enqueue's commit to the last completion.
/// </summary>
internal static class ShapedBurn
{
    public const string NoOp = "{}";
    public const string OneOutput = """{"outputs":1}""";
    public const string Emit = """{"outputs":1,"emit":true}""";

    /// <summary>As the no-op burn-down: 4 workers on PostgreSQL, one per core on SQLite (its one writer).</summary>
    public static async Task<List<Child>> StartWorkersAsync(string kind, string db)
    {
        var workers = kind == "pg" ? 4 : Environment.ProcessorCount;
        var children = Enumerable.Range(0, workers).Select(_ => Child.Self("worker", "--db", db, "--types", BenchHandlers.Shaped)).ToList();
        await Task.WhenAll(children.Select(c => c.LineAsync("ready", TimeSpan.FromSeconds(60))));
        return children;
    }

    /// <summary>Chunks/s and the workers' CPU µs a chunk for one job of <paramref name="chunks"/> chunks.</summary>
    public static async Task<(double Rate, double CpuUs)> RunAsync(string db, IReadOnlyList<Child> workers, int chunks, string parameters)
    {
        var ticks0 = workers.Sum(c => ProcStat.CpuTicks(c.Pid));
        long jobId, t1;
        await using (var store = BenchStores.Open(db))
        {
            // The second stage is a barrier that is never released: emitted chunks wait there, out of every claim.
            var job = await store.JobInsertAsync(
                new JobInsertParams(
                    "bench",
                    [new StageDefinition("main", BenchHandlers.Shaped, StageMode.Streaming), new StageDefinition("sink", BenchHandlers.Sink, StageMode.Barrier)],
                    parameters,
                    Enumerable.Repeat("{}", chunks),
                    0,
                    3,
                    DateTimeOffset.UtcNow),
                CancellationToken.None);
            jobId = job.JobId;
            t1 = Clock.NowUs();
        }

        var lastMs = await WaitFirstStageAsync(db, jobId, chunks, TimeSpan.FromMinutes(10));
        var cpu = (workers.Sum(c => ProcStat.CpuTicks(c.Pid)) - ticks0) / ProcStat.TicksPerSecond * 1e6 / chunks;
        return (chunks / (((lastMs * 1000.0) - t1) / 1e6), cpu);
    }

    public static string Line(string what, double rate, double cpu) =>
        string.Create(CultureInfo.InvariantCulture, $"  {what}: {rate:F0} chunks/s, workers' CPU {cpu:F1} µs a chunk");

    /// <summary>
    /// As <see cref="BenchContext.WaitDoneAsync"/>, for the first stage only: the emitted chunks wait in the second.
    /// "stage = 0 AND finished_at IS NULL" is SQLite's partial hj_chunks_open; PostgreSQL's (job_id, state, id)
    /// skips the waiting ones.
    /// </summary>
    private static async Task<long> WaitFirstStageAsync(string db, long jobId, long chunks, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        await using (var connection = await Sql.OpenAsync(db))
        {
            await using var open = connection.CreateCommand();
            open.CommandText = $"SELECT 1 FROM hj_chunks WHERE job_id = {jobId} AND stage = 0 AND finished_at IS NULL AND state IN ('pending', 'running', 'paused') LIMIT 1";
            while (await open.ExecuteScalarAsync() is not null and not DBNull)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"job {jobId}: not all of {chunks} chunks done after {timeout.TotalSeconds} s");
                }

                await Task.Delay(100);
            }
        }

        const string settled = "stage = 0 AND state = 'done' AND state NOT IN ('pending', 'running')";
        var done = await Sql.ScalarAsync(db, $"SELECT count(*) FROM hj_chunks WHERE job_id = {jobId} AND {settled}");
        if (done != chunks)
        {
            throw new InvalidOperationException($"job {jobId}: {done} of {chunks} chunks done, the others ended in another state");
        }

        return await Sql.ScalarAsync(db, $"SELECT max(finished_at) FROM hj_chunks WHERE job_id = {jobId} AND {settled}");
    }
}
