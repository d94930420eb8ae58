using System.Data.Common;
using HeavyJobs.Bench.Modes;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Jobs;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace HeavyJobs.Bench;

/// <summary>What every scenario shares: the mode, where its databases go, and the results being gathered.</summary>
internal sealed class BenchContext(bool quick, string pg, string work, string cli, Results results)
{
    /// <summary>The predicate of SQLite's partial hj_chunks_settled (job_id, state): the finished chunks' index.</summary>
    private const string Settled = "state NOT IN ('pending', 'running')";

    private int _next;

    public bool Quick { get; } = quick;

    /// <summary>The bench's own PostgreSQL database (not the tests'), so its statistics are its own.</summary>
    public string Pg { get; } = pg;

    public string Work { get; } = work;

    /// <summary>The heavyjobs executable (its .dll), for the scenarios that run the real monitor, manager and workers.</summary>
    public string Cli { get; } = cli;

    public Results Results { get; } = results;

    public bool HasStatements { get; set; }

    /// <summary>A fresh, empty, migrated store: a PostgreSQL schema of its own, or a new SQLite file (WAL).</summary>
    public async Task<string> FreshAsync(string kind, string name)
    {
        var n = Interlocked.Increment(ref _next);
        var db = kind == "pg"
            ? new NpgsqlConnectionStringBuilder(Pg) { SearchPath = $"bench_{name}_{n}" }.ToString()
            : Path.Combine(Work, $"{name}-{n}.db");
        // Names repeat from run to run: what a killed or failed run left under this one goes first, or a seed
        // would meet the old run's rows.
        await DropAsync(db);
        await using var store = BenchStores.Open(db);
        await store.MigrateAsync(CancellationToken.None);
        return db;
    }

    public async Task DropAsync(string db)
    {
        if (BenchStores.IsPostgres(db))
        {
            var schema = new NpgsqlConnectionStringBuilder(db).SearchPath;
            await Sql.ExecAsync(Pg, $"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
        }
        else
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                File.Delete(db + suffix);
            }
        }
    }

    /// <summary>Inserts one job of <paramref name="inputs"/> chunks in one transaction (COPY on PostgreSQL); returns its id.</summary>
    public static async Task<long> EnqueueAsync(IHeavyStore store, string type, IEnumerable<string> inputs, string parameters = "{}")
    {
        var job = await store.JobInsertAsync(
            new JobInsertParams("bench", [new StageDefinition("main", type, StageMode.Streaming)], parameters, inputs, 0, 3, DateTimeOffset.UtcNow),
            CancellationToken.None);
        return job.JobId;
    }

    /// <summary>
    /// Waits until every chunk of the job is done; returns the wall-clock ms of the last completion. The time
    /// comes from the chunks' finished_at, so the poll's pace does not change the figure; it is kept cheap (one
    /// connection, two index probes every 100 ms) so the harness takes no CPU from what it measures.
    /// </summary>
    public static async Task<long> WaitDoneAsync(string db, long jobId, long chunks, TimeSpan timeout)
    {
        await using var connection = await Sql.OpenAsync(db);
        return await WaitDoneAsync(connection, db, jobId, chunks, timeout);
    }

    /// <summary>
    /// Polls on a connection the caller opened before the job went in: opening one (a new server process, the
    /// driver's type loading) costs tens of milliseconds of the machine's CPU, which inside a run of a second is
    /// the harness measuring itself.
    /// </summary>
    public static async Task<long> WaitDoneAsync(DbConnection connection, string db, long jobId, long chunks, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        await using var open = connection.CreateCommand();
        // Polled every 100 ms while the workers run, so it must read an index, not the table, on both stores:
        // "finished_at IS NULL" is the predicate of SQLite's partial hj_chunks_open, and the state condition is
        // what PostgreSQL's (job_id, state) serves. Without the first, SQLite walks every row of every job on
        // each poll: a core's worth of CPU taken from the workers by the end of a 500,000-chunk run.
        open.CommandText = $"SELECT 1 FROM hj_chunks WHERE job_id = {jobId} AND finished_at IS NULL AND state IN ('pending', 'running', 'paused') LIMIT 1";
        while (await open.ExecuteScalarAsync() is not null and not DBNull)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"job {jobId}: not all of {chunks} chunks done after {timeout.TotalSeconds} s");
            }

            await Task.Delay(100);
        }

        var done = await Sql.ScalarAsync(db, $"SELECT count(*) FROM hj_chunks WHERE job_id = {jobId} AND state = 'done' AND {Settled}");
        if (done != chunks)
        {
            throw new InvalidOperationException($"job {jobId}: {done} of {chunks} chunks done, the others ended in another state");
        }

        return await Sql.ScalarAsync(db, $"SELECT max(finished_at) FROM hj_chunks WHERE job_id = {jobId} AND state = 'done' AND {Settled}");
    }
}
