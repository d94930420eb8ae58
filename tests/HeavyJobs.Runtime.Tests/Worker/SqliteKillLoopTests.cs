using System.Diagnostics;
using System.Text.Json;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Sqlite;
using HeavyJobs.Storage.Workers;
using Microsoft.Data.Sqlite;

namespace HeavyJobs.Runtime.Tests.Worker;

/// <summary>
/// SQLite killed mid-write, again and again: a real worker process (4 slots checkpointing every few items, so a
/// commit is almost always under way) is SIGKILLed at a random moment once it writes, its chunks are recovered as a
/// monitor recovers a dead worker's, and the file is checked: PRAGMA integrity_check is ok, every chunk's outputs
/// are exactly its items below its cursor and match its done count, a done chunk has all its items once, and no
/// lease of the dead worker survives. At the end one worker finishes the work, each item once. The test runs a
/// few dozen kills; scripts/sqlite-kill-loop.sh N runs N (HEAVYJOBS_KILLS).
/// </summary>
public sealed class SqliteKillLoopTests : IDisposable
{
    private const int PerChunk = 400;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "heavyjobs-kill-loop", Guid.NewGuid().ToString("N"));

    public SqliteKillLoopTests() => Directory.CreateDirectory(_dir);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Db => Path.Combine(_dir, "kill.db");

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task WorkersKilledMidWrite_ManyTimes_LeaveAnIntactFile_EveryChunkInvariantHolding_AndEveryItemOnceAtTheEnd()
    {
        var kills = Environment.GetEnvironmentVariable("HEAVYJOBS_KILLS") is { Length: > 0 } k ? int.Parse(k, System.Globalization.CultureInfo.InvariantCulture) : 24;
        var random = new Random(Environment.GetEnvironmentVariable("HEAVYJOBS_KILL_SEED") is { Length: > 0 } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : 16);
        await using var store = new SqliteStore(Db);
        await store.MigrateAsync(Ct);
        var jobs = new List<(long Id, int Items)>();
        var clock = Stopwatch.StartNew();
        var recovered = 0;
        for (var kill = 1; kill <= kills; kill++)
        {
            if (jobs.Count == 0 || await AllDoneAsync(store, jobs[^1].Id))
            {
                jobs.Add((await SubmitAsync(store, items: 40 * PerChunk), 40 * PerChunk));
            }

            var before = Version();
            using var worker = StartWorker();
            // Killed only once it writes, a random moment later, mostly with a commit under way.
            Assert.True(await MonitorRun.UntilAsync(() => Task.FromResult(worker.HasExited || Version() != before), TimeSpan.FromSeconds(60), Ct), $"kill {kill}: the worker never wrote");
            if (worker.HasExited)
            {
                Assert.Fail($"kill {kill}: the worker exited by itself ({worker.ExitCode})");
            }

            await Task.Delay(random.Next(0, 300), Ct);
            MonitorRun.Signal(worker.Id, "KILL");
            await worker.WaitForExitAsync(Ct);

            recovered += await RecoverAsync(store, worker.Id);
            await CheckAsync(store, $"after kill {kill}");
        }

        var killsTook = clock.Elapsed;
        using (var last = StartWorker())
        {
            Assert.True(await MonitorRun.UntilAsync(async () => await AllDoneAsync(store, jobs[^1].Id), TimeSpan.FromMinutes(5), Ct), "the last worker did not finish");
            MonitorRun.Signal(last.Id, "TERM");
            await last.WaitForExitAsync(Ct);
        }

        await CheckAsync(store, "at the end");
        foreach (var (job, items) in jobs)
        {
            if (await AllDoneAsync(store, job))
            {
                var keys = (await store.OutputListAsync(new OutputListParams(job, Limit: int.MaxValue), Ct)).Select(o => o.Key).Order(StringComparer.Ordinal);
                Assert.Equal(Enumerable.Range(0, items).Select(i => $"item-{i}").Order(StringComparer.Ordinal), keys);
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"sqlite kill loop: {kills} SIGKILLs mid-write in {killsTook.TotalSeconds:0.0} s, {recovered} chunk leases recovered from dead workers, "
            + $"{jobs.Count} jobs of {40 * PerChunk} items, integrity ok and every invariant held after each kill");
    }

    /// <summary>As a monitor does when its worker dies: every chunk the dead process held goes back with its last checkpoint.</summary>
    private static async Task<int> RecoverAsync(SqliteStore store, int pid)
    {
        var dead = (await store.WorkerListAsync(new WorkerListParams(IncludeExited: true), Ct)).Where(w => w.Pid == pid).ToList();
        var count = 0;
        foreach (var w in dead)
        {
            // No quarantine: a kill loop kills the same chunk's holders many times on purpose.
            count += (await store.ChunkReclaimByWorkerAsync(new ChunkReclaimByWorkerParams(w.Id, "killed by the test", TimeProvider.System.GetUtcNow(), QuarantineAfter: int.MaxValue), Ct)).Count;
            await store.WorkerUpdateManyAsync(new WorkerUpdateManyParams([new WorkerUpdate(w.Id, WorkerState.Exited, null, 0, 0, 0, ExitReason: "killed")], TimeProvider.System.GetUtcNow()), Ct);
        }

        return count;
    }

    private async Task CheckAsync(SqliteStore store, string when)
    {
        await using (var connection = new SqliteConnection($"Data Source={Db};Pooling=False"))
        {
            await connection.OpenAsync(Ct);
            await using var integrity = connection.CreateCommand();
            integrity.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", (string?)await integrity.ExecuteScalarAsync(Ct));
        }

        foreach (var chunk in await store.ChunkListAsync(new ChunkListParams(Limit: 100_000), Ct))
        {
            using var input = JsonDocument.Parse(chunk.Input);
            var start = input.RootElement.GetProperty("start").GetInt64();
            var end = input.RootElement.GetProperty("end").GetInt64();
            var cursor = chunk.Cursor is { } c ? long.Parse(c, System.Globalization.CultureInfo.InvariantCulture) : start;
            var keys = (await store.OutputListAsync(new OutputListParams(chunk.JobId, ChunkId: chunk.Id, Limit: int.MaxValue), Ct)).Select(o => o.Key).Order(StringComparer.Ordinal).ToList();
            var expected = Enumerable.Range((int)start, (int)(cursor - start)).Select(i => $"item-{i}").Order(StringComparer.Ordinal).ToList();
            Assert.True(expected.SequenceEqual(keys), $"{when}: chunk {chunk.Id} at cursor {cursor} holds {keys.Count} outputs ({keys.Distinct().Count()} distinct), not the {expected.Count} items below its cursor");
            Assert.True(chunk.Counters.Done == keys.Count, $"{when}: chunk {chunk.Id} counts {chunk.Counters.Done} done but holds {keys.Count} outputs");
            Assert.True(chunk.State != ChunkState.Done || chunk.Counters.Done == end - start, $"{when}: chunk {chunk.Id} is done with {chunk.Counters.Done} of {end - start} items");
            Assert.True(chunk.LeaseOwner is null && chunk.State != ChunkState.Running, $"{when}: chunk {chunk.Id} is still {chunk.State.ToDb()}, leased to {chunk.LeaseOwner}, though its worker is dead");
        }
    }

    private long Version()
    {
        // The files' sizes and change times move with every commit (the WAL grows or is rewritten; without a WAL,
        // the database file itself is written).
        static long Of(FileInfo f) => f.Exists ? f.Length ^ f.LastWriteTimeUtc.Ticks : 0;
        return Of(new FileInfo(Db + "-wal")) ^ (Of(new FileInfo(Db)) * 31);
    }

    private static async Task<bool> AllDoneAsync(SqliteStore store, long job) =>
        (await store.ChunkListAsync(new ChunkListParams(job, Limit: 100_000), Ct)).All(c => c.State == ChunkState.Done);

    private Process StartWorker()
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _dir };
        foreach (var a in new[] { MonitorRun.Host, "worker", "--types", "test.count", "--concurrency", "4" })
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["HEAVYJOBS_DB"] = Db;
        var process = Process.Start(info)!;
        // Drained so a full pipe never blocks the worker; what it says is not needed.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<long> SubmitAsync(SqliteStore store, int items) =>
        (await store.JobInsertAsync(
            new JobInsertParams(
                $"kill-loop-{Guid.NewGuid():N}",
                [new StageDefinition("main", "test.count", StageMode.Streaming)],
                JsonSerializer.Serialize(new { sleepMs = 1, every = 5 }),
                Enumerable.Range(0, items / PerChunk).Select(i => $$"""{"start":{{i * PerChunk}},"end":{{(i + 1) * PerChunk}}}"""),
                0,
                1000,
                TimeProvider.System.GetUtcNow()),
            Ct)).JobId;
}
