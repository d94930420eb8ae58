using System.Diagnostics;
using System.Globalization;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Workers;
using HeavyJobs.TestHost;
using Microsoft.Data.Sqlite;

namespace HeavyJobs.Runtime.Tests.Monitor;

/// <summary>
/// Freezes, operators and stops under running workers, with real processes and signals, run once per store: a
/// worker that lost its chunk writes nothing that sticks, and a worker that will not stop is killed.
/// </summary>
public abstract class FreezeScenarios(string kind) : ProcessScenario(kind)
{
    [Fact]
    public async Task WorkerFrozenPastItsLease_ThawedWhileAnotherWorkerHoldsItsChunk_WritesNothing_BeforeOrAfterTheHeirFinishes()
    {
        // The frozen worker's handler ignores its token and goes on checkpointing after a refusal, so when it
        // thaws it tries every write there is: checkpoints, then its completion or failure.
        var job = await SubmitAsync("test.stubborn", items: 600, perChunk: 600, sleepMs: 10, every: 10);
        var shortLease = new Dictionary<string, string> { ["HeavyJobs__Worker__Lease"] = "00:00:03", ["HeavyJobs__Worker__HeartbeatInterval"] = "00:00:01" };
        var frozen = Run.StartProcess(shortLease, "worker", "--types", "test.stubborn", "--node", Run.Node);
        Process? other = null;
        try
        {
            Assert.True(await MonitorRun.UntilAsync(async () => (await ChunkAsync(job)).Counters.Done >= 50, Within, Ct), Run.Log);
            await FreezeBetweenWritesAsync(frozen.Id);
            // The fleet gives up on the silent holder once its lease has run out (the manager's reclaim does this
            // call, every step). On PostgreSQL a lease extension the worker sent just before it froze can still
            // commit after the test saw the old lease run out, and the reclaim then rightly finds nothing: it is
            // tried again, as the manager would, until the lease the worker last committed has run out too.
            var stale = await ChunkAsync(job);
            IReadOnlyList<ReclaimedChunk> reclaimed = [];
            Assert.True(
                await MonitorRun.UntilAsync(
                    async () =>
                    {
                        stale = await ChunkAsync(job);
                        if (stale.LeaseExpiresAt >= TimeProvider.System.GetUtcNow())
                        {
                            return false;
                        }

                        reclaimed = await Store.ChunkReclaimExpiredAsync(new ChunkReclaimExpiredParams(TimeProvider.System.GetUtcNow()), Ct);
                        return reclaimed.Count > 0;
                    },
                    Within,
                    Ct),
                "the frozen worker's lease ran out and its chunk was reclaimed");
            Assert.Equal(stale.Id, Assert.Single(reclaimed).ChunkId);

            other = Run.StartProcess(new Dictionary<string, string>(), "worker", "--types", "test.stubborn", "--node", Run.Node);
            // Thawed while the heir holds the chunk and has moved it on: the chunk is running and owned, as it was
            // when the frozen worker last wrote, so only the epoch tells the two holders apart.
            Assert.True(
                await MonitorRun.UntilAsync(async () => await ChunkAsync(job) is { State: ChunkState.Running, LeaseOwner: { } owner } heir && owner != stale.LeaseOwner && heir.Counters.Done > stale.Counters.Done, Within, Ct),
                Run.Log);
            MonitorRun.Signal(frozen.Id, "CONT");
            // Its first checkpoint after the thaw is refused (the handler says so on stderr); it goes on regardless,
            // so it tries its later writes while the heir works and after the heir has finished.
            Assert.True(
                await MonitorRun.UntilAsync(() => Task.FromResult(Run.Log.Contains("stubborn: checkpoint failed", StringComparison.Ordinal)), Within, Ct),
                Run.Log);
            Assert.True(await MonitorRun.UntilAsync(async () => (await ChunkAsync(job)).State == ChunkState.Done, Within, Ct), Run.Log);
            var finished = await ChunkAsync(job);
            Assert.Equal(2, finished.Holders.Count);
            await AssertEveryItemOnceAsync(job, 600);

            // Its run ends: it reports itself idle again.
            Assert.True(
                await MonitorRun.UntilAsync(async () => (await Store.WorkerListAsync(new WorkerListParams(IncludeExited: true), Ct)).Single(w => w.Id == stale.LeaseOwner).State == WorkerState.Idle, Within, Ct),
                Run.Log);

            var after = await ChunkAsync(job);
            Assert.Equal(
                (finished.State, finished.Cursor, finished.Counters, finished.Epoch, finished.Attempts, finished.Crashes, finished.Errors),
                (after.State, after.Cursor, after.Counters, after.Epoch, after.Attempts, after.Crashes, after.Errors));
            await AssertEveryItemOnceAsync(job, 600);
        }
        finally
        {
            // The stubborn handler's thread keeps a process alive until it is killed.
            foreach (var p in new[] { frozen, other })
            {
                if (p is { HasExited: false })
                {
                    MonitorRun.Signal(p.Id, "KILL");
                    await p.WaitForExitAsync(Ct);
                }

                p?.Dispose();
            }
        }
    }

    /// <summary>
    /// SIGSTOPs <paramref name="pid"/> at an instant it holds no write transaction. On SQLite a process frozen inside
    /// one holds the database's write lock, and every writer waits until it thaws or dies (under a monitor: killed
    /// as hung, see the test below; docs/guarantees.md says so); the reclaim here would wait forever. PostgreSQL
    /// ends a transaction left idle (idle_in_transaction_session_timeout), so any instant will do there.
    /// </summary>
    private async Task FreezeBetweenWritesAsync(int pid)
    {
        while (true)
        {
            MonitorRun.Signal(pid, "STOP");
            if (Kind != "sqlite")
            {
                return;
            }

            await using var probe = new SqliteConnection($"Data Source={Run.Db};Pooling=False");
            await probe.OpenAsync(Ct);
            await using var begin = probe.CreateCommand();
            // A write transaction of a running worker lasts milliseconds; one still open after a second is frozen.
            begin.CommandText = "BEGIN IMMEDIATE";
            begin.CommandTimeout = 1;
            try
            {
                await begin.ExecuteNonQueryAsync(Ct);
                await using var rollback = probe.CreateCommand();
                rollback.CommandText = "ROLLBACK";
                await rollback.ExecuteNonQueryAsync(Ct);
                return;
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode == 5)
            {
                MonitorRun.Signal(pid, "CONT");
                await Task.Delay(TimeSpan.FromMilliseconds(30), Ct);
            }
        }
    }

    [Fact]
    public async Task ChunkResetToZeroUnderARunningWorker_ItsOldRunWritesNothingMore_AndTheRerunWritesEachItemOnce()
    {
        var job = await SubmitAsync("test.count", items: 1000, perChunk: 1000, sleepMs: 10, every: 10);
        Run.Start();
        await Run.CliAsync(Ct, "workers", "scale", "test.count=1", "--node", Run.Node);
        Assert.True(await MonitorRun.UntilAsync(async () => (await ChunkAsync(job)).Counters.Done >= 100, Within, Ct), Run.Log);
        var running = await ChunkAsync(job);

        var (exit, output) = await Run.CliAsync(Ct, "chunks", "reset", running.Id.ToString(CultureInfo.InvariantCulture), "--to", "zero");
        Assert.True(exit == 0, output);

        // The old run's outputs were deleted with the reset; a late write of it would show as a second copy.
        Assert.True(await MonitorRun.UntilAsync(async () => (await ChunkAsync(job)).State == ChunkState.Done, Within, Ct), Run.Log);
        await AssertEveryItemOnceAsync(job, 1000);
        var done = await ChunkAsync(job);
        Assert.Equal(new ChunkCounters(1000, 1000, 0), done.Counters);
        Assert.True(done.Epoch > running.Epoch + 1, "the rerun claimed the chunk again after the reset");
    }

    [Fact]
    public async Task JobCancelledUnderARunningWorker_NothingOfItsRunSticksAfterTheCancel()
    {
        var job = await SubmitAsync("test.count", items: 2000, perChunk: 2000, sleepMs: 10, every: 10);
        Run.Start();
        await Run.CliAsync(Ct, "workers", "scale", "test.count=1", "--node", Run.Node);
        Assert.True(await MonitorRun.UntilAsync(async () => (await ChunkAsync(job)).Counters.Done >= 100, Within, Ct), Run.Log);
        var worker = (await LiveAsync()).Single();

        var (exit, output) = await Run.CliAsync(Ct, "jobs", "cancel", job.ToString(CultureInfo.InvariantCulture));
        Assert.True(exit == 0, output);
        var cancelled = await ChunkAsync(job);
        var outputs = (await Store.OutputListAsync(new OutputListParams(job, Limit: 5000), Ct)).Count;
        Assert.Equal(ChunkState.Cancelled, cancelled.State);

        // It checkpoints every 100 ms: it met the refusal and dropped the chunk once it says it is idle.
        Assert.True(await MonitorRun.UntilAsync(async () => (await LiveAsync()).Single(w => w.Id == worker.Id).State == WorkerState.Idle, Within, Ct), Run.Log);
        var after = await ChunkAsync(job);
        Assert.Equal((cancelled.State, cancelled.Cursor, cancelled.Counters, cancelled.Epoch), (after.State, after.Cursor, after.Counters, after.Epoch));
        Assert.Equal(outputs, (await Store.OutputListAsync(new OutputListParams(job, Limit: 5000), Ct)).Count);
        Assert.Equal(after.Counters.Done, outputs);
    }

    [Fact]
    public async Task AHandlerThatIgnoresItsStop_IsKilledAfterTheStopGrace_AndItsChunkReturnsWithItsLastCheckpoint()
    {
        var job = await SubmitAsync("test.stubborn", items: 1500, perChunk: 1500, sleepMs: 10, every: 10);
        Run.StartWith(new Dictionary<string, string> { ["HeavyJobs__Monitor__StopGrace"] = "00:00:02" });
        await Run.CliAsync(Ct, "workers", "scale", "test.stubborn=1", "--node", Run.Node);
        Assert.True(await MonitorRun.UntilAsync(async () => (await ChunkAsync(job)).Counters.Done >= 30, Within, Ct), Run.Log);
        var worker = (await LiveAsync()).Single();

        // Scaling down stops it (a drain); its handler neither returns nor throws.
        await Run.CliAsync(Ct, "workers", "scale", "test.stubborn=0", "--node", Run.Node);
        Assert.True(
            await MonitorRun.UntilAsync(async () => !MonitorRun.Alive(worker.Pid) && (await ChunkAsync(job)).State == ChunkState.Pending, Within, Ct),
            Run.Log);

        var kill = Assert.Single(await ActionsAsync(), a => a.Kind == ActionKinds.Kill && a.WorkerId == worker.Id);
        Assert.Contains("not gone after the 2 s grace period", kill.Reason, StringComparison.Ordinal);
        var back = await ChunkAsync(job);
        Assert.Null(back.LeaseOwner);
        // The stop was the system's doing: no attempt, no death counted.
        Assert.Equal((0, 0), (back.Attempts, back.Crashes));
        // Its last checkpoint and exactly what lies below it: the outputs match the cursor, one each.
        var cursor = long.Parse(back.Cursor!, CultureInfo.InvariantCulture);
        Assert.True(cursor >= 30 && cursor < 1500, $"cursor {cursor}");
        Assert.Equal(new ChunkCounters(cursor, cursor, 0), back.Counters);
        await AssertEveryItemOnceAsync(job, (int)cursor);

        await Run.CliAsync(Ct, "workers", "scale", "test.stubborn=1", "--node", Run.Node);
        Assert.True(await MonitorRun.UntilAsync(async () => (await ChunkAsync(job)).State == ChunkState.Done, Within, Ct), Run.Log);
        await AssertEveryItemOnceAsync(job, 1500);
    }

    [Fact]
    public async Task AWorkerRestartedByAnOperator_StopsAtItsCheckpoint_AndIsReplacedOnce()
    {
        // 1,500 items of 10 ms: the restart, a command's process start away, reaches the worker with its chunk not
        // yet done even on a loaded machine (a replacement that finds nothing to do would leave one holder).
        var job = await SubmitAsync("test.count", items: 1500, perChunk: 1500, sleepMs: 10, every: 10);
        Run.Start();
        await Run.CliAsync(Ct, "workers", "scale", "test.count=1", "--node", Run.Node);
        Assert.True(await MonitorRun.UntilAsync(async () => (await ChunkAsync(job)).Counters.Done >= 30, Within, Ct), Run.Log);
        var first = (await LiveAsync()).Single();

        var (exit, output) = await Run.CliAsync(Ct, "workers", "restart", first.Id.ToString(CultureInfo.InvariantCulture));
        Assert.True(exit == 0, output);
        Assert.True(await MonitorRun.UntilAsync(async () => (await ChunkAsync(job)).State == ChunkState.Done, Within, Ct), Run.Log);
        await AssertEveryItemOnceAsync(job, 1500);
        var done = await ChunkAsync(job);
        // The restart was the system's doing: no attempt, no death counted.
        Assert.Equal((0, 0), (done.Attempts, done.Crashes));
        Assert.Equal(2, done.Holders.Count);

        // One start for the scale, one for the replacement: the machine's target did not start a third while the
        // restarted worker was stopping, to stop it again after.
        var actions = await ActionsAsync();
        var starts = actions.Where(a => a.Kind == ActionKinds.Start).ToList();
        Assert.True(starts.Count == 2, string.Join("\n", actions.Select(a => $"{a.Kind}: {a.Reason}")));
        Assert.Contains(starts, a => a.Reason.Contains($"replacing worker {first.Id} (restarted by cli:", StringComparison.Ordinal));
        Assert.DoesNotContain(actions, a => a.Kind == ActionKinds.Stop && a.Reason.StartsWith("scale ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AWorkerFrozenWhileItsProcessLives_IsHungAfterTheConfiguredSilence_KilledAndReplaced()
    {
        // 600 items of 10 ms: the test sees 30 done and stops the worker with over 5 s of its work still ahead.
        var job = await SubmitAsync("test.count", items: 600, perChunk: 600, sleepMs: 10, every: 10);
        // The stall timeout stays the type's own (5 min): only the silence can find this worker hung in time. The
        // silence is the default's 15 s: a shorter one took live workers on this loaded machine for hung.
        Run.Start("--hung-after", "15", "--lease", "600");
        await Run.CliAsync(Ct, "workers", "scale", "test.count=1", "--node", Run.Node);
        Assert.True(await MonitorRun.UntilAsync(async () => (await ChunkAsync(job)).Counters.Done >= 30, Within, Ct), Run.Log);
        var frozen = (await LiveAsync()).Single();

        MonitorRun.Signal(frozen.Pid, "STOP");
        Assert.True(await MonitorRun.UntilAsync(async () => (await ActionsAsync()).Any(a => a.Kind == ActionKinds.Hung && a.WorkerId == frozen.Id), Within, Ct), Run.Log);

        var hung = (await ActionsAsync()).First(a => a.Kind == ActionKinds.Hung && a.WorkerId == frozen.Id);
        Assert.StartsWith("no heartbeat for", hung.Reason, StringComparison.Ordinal);
        Assert.True(await MonitorRun.UntilAsync(() => Task.FromResult(!MonitorRun.Alive(frozen.Pid)), Within, Ct), "the frozen process was killed");
        Assert.True(await MonitorRun.UntilAsync(async () => (await LiveAsync()).Any(w => w.Id != frozen.Id), Within, Ct), "a replacement was started");
        Assert.True(await MonitorRun.UntilAsync(async () => (await ChunkAsync(job)).State == ChunkState.Done, Within, Ct), Run.Log);
        await AssertEveryItemOnceAsync(job, 600);
    }

    [Fact]
    public async Task MonitorAndItsWorkersSigkilled_ARestartedMonitorReturnsTheirChunksAtOnce_NotOnLeaseExpiry()
    {
        // Killed all at once (a cgroup's SIGKILL on a deploy), the workers give nothing back themselves, and
        // their chunks are held on a lease longer than the test: only the restarted monitor can return them.
        Run.Start("--lease", "600");
        Assert.True(await Run.ScaleUpIdleAsync("test.count", 2, Ct), Run.Log);
        var job = await SubmitAsync("test.count", items: 1000, perChunk: 500, sleepMs: 20, every: 10);
        Assert.True(await MonitorRun.UntilAsync(async () => (await LiveAsync()).Count(w => w.State == WorkerState.Busy) == 2, Within, Ct), Run.Log);
        var pids = (await LiveAsync()).Select(w => w.Pid).ToList();

        // One kill(1) for all: killed one after another, the orphans had time to see their monitor gone and give
        // their chunks back themselves (the test failed so on a loaded machine).
        MonitorRun.Signal("KILL", [Run.Monitor.Id, .. pids]);

        await Run.Monitor.WaitForExitAsync(Ct);
        Assert.True(await MonitorRun.UntilAsync(() => Task.FromResult(pids.All(p => !MonitorRun.Alive(p))), Within, Ct), "killed workers remain");
        var held = (await Store.ChunkListAsync(new ChunkListParams(job), Ct)).Where(c => c.State == ChunkState.Running).ToList();
        Assert.NotEmpty(held);
        Assert.All(held, c => Assert.True(c.LeaseExpiresAt > TimeProvider.System.GetUtcNow().AddMinutes(5), $"chunk {c.Id} is held on the 600 s lease"));

        // Any wait well short of the lease tells chunks returned from chunks left to it; a minute was not enough
        // under CI's load (the new monitor's workers started, and the chunks were still not done).
        Run.Start("--lease", "600");
        Assert.True(await Run.UntilDoneAsync(job, TimeSpan.FromMinutes(4), Ct), await Run.DescribeAsync(job, Ct));
        await AssertEveryItemOnceAsync(job, 1000);
        // A restart is the system's doing: no death counted.
        Assert.All(await Store.ChunkListAsync(new ChunkListParams(job), Ct), c => Assert.Equal(0, c.Crashes));
    }
}

public sealed class SqliteFreezeTests() : FreezeScenarios("sqlite")
{
    /// <summary>
    /// A worker opens the SQLite file itself: frozen inside a write transaction, it holds every writer of the
    /// machine, the monitor's heartbeats included, until it is killed. The monitor must find it hung from its
    /// pipe alone (this test failed when the heartbeats' write came before the look for hung workers: the
    /// monitor waited on the lock, retried, and never looked).
    /// </summary>
    [Fact]
    public async Task AWorkerFrozenHoldingTheDatabasesWriteLock_IsStillFoundHung_AndTheMachineWritesAgain()
    {
        var job = await SubmitAsync(TestHandlers.FreezeLocked, items: 300, perChunk: 300, """{"freezeAt":50}""");
        Run.Start("--hung-after", "15", "--lease", "600");
        await Run.CliAsync(Ct, "workers", "scale", $"{TestHandlers.FreezeLocked}=1", "--node", Run.Node);
        // It froze right after its checkpoint at item 50.
        Assert.True(await MonitorRun.UntilAsync(async () => (await ChunkAsync(job)).Counters.Done >= 50, Within, Ct), Run.Log);

        Assert.True(await MonitorRun.UntilAsync(async () => (await ActionsAsync()).Any(a => a.Kind == ActionKinds.Hung), Within, Ct), Run.Log);
        var hung = (await ActionsAsync()).First(a => a.Kind == ActionKinds.Hung);
        Assert.StartsWith("no heartbeat for", hung.Reason, StringComparison.Ordinal);
        Assert.True(await MonitorRun.UntilAsync(async () => (await ChunkAsync(job)).State == ChunkState.Done, Within, Ct), Run.Log);
        await AssertEveryItemOnceAsync(job, 300);
        var done = await ChunkAsync(job);
        Assert.Equal(2, done.Holders.Count);
        // Replaced once: the kill's replacement, not a second start by the machine's target as well.
        Assert.Equal(2, (await ActionsAsync()).Count(a => a.Kind == ActionKinds.Start));
    }
}

public sealed class PostgresFreezeTests() : FreezeScenarios("postgres");
