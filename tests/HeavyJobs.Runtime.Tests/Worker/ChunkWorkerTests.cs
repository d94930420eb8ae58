using System.Text.Json;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Handlers;
using HeavyJobs.Core.Model;
using HeavyJobs.Runtime.Jobs;
using HeavyJobs.Runtime.Worker;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace HeavyJobs.Runtime.Tests.Worker;

public sealed class ChunkWorkerTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly GateHandler.Gate _gate = new();
    private readonly TwoStepHandler.Steps _steps = new();
    private readonly HoldAfterHandler.Hold _hold = new(quickRuns: 2);
    private readonly RunningProbeHandler.Probe _probe = new();
    private readonly KeyedReadHandler.Reads _reads = new();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "heavyjobs-tests", Guid.NewGuid().ToString("N"));
    private SqliteStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = new SqliteStore(Path.Combine(_dir, "w.db"), new SqliteStoreOptions { Synchronous = "NORMAL" }, _time);
        await _store.MigrateAsync(Ct);
    }

    public async ValueTask DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task RunAsync_CompletesEveryChunk_AndWritesEachItemOnce()
    {
        var job = await SubmitAsync("count", chunks: 5, itemsPerChunk: 10);
        var (host, run, stop) = Start(concurrency: 2);

        await UntilAsync(host, async () => (await _store.ChunkListAsync(new ChunkListParams(job), Ct)).All(c => c.State == ChunkState.Done));
        await stop.CancelAsync();
        await run;

        var outputs = await _store.OutputListAsync(new OutputListParams(job), Ct);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"item-{i}"), outputs.Select(o => o.Key).Order(StringComparer.Ordinal).OrderBy(k => int.Parse(k[5..], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(50, host.Samples.Sum(s => s.Items));
        Assert.Equal("stopped", host.StopReason);
    }

    [Fact]
    public async Task ReadOutputs_ByKeys_GivesThoseKeys_AndMoreKeysThanOneReadMayName_ReadsUnfiltered()
    {
        await SubmitAsync("keyed", chunks: 1, itemsPerChunk: 1);
        var (_, run, stop) = Start();

        // A few keys: the store reads just those.
        Assert.Equal(["b"], await _reads.Few.Task.WaitAsync(TimeSpan.FromMinutes(1), Ct));
        // Past the store's bound the read is not refused (a handler's chunk must not fail on its own input's size):
        // it comes back unfiltered, and the handler checks the keys, as OutputQuery.Keys says.
        Assert.Equal(["a", "b", "c"], await _reads.Many.Task.WaitAsync(TimeSpan.FromMinutes(1), Ct));
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Stop_CheckpointsAndGivesTheChunkBack_AndAnotherWorkerResumesIt()
    {
        var job = await SubmitAsync("gate", chunks: 1, itemsPerChunk: 10);
        var (_, run, stop) = Start();
        await _gate.AtFive.Task.WaitAsync(Ct);

        await stop.CancelAsync();
        await run;

        var chunk = Assert.Single(await _store.ChunkListAsync(new ChunkListParams(job), Ct));
        Assert.Equal(ChunkState.Pending, chunk.State);
        Assert.Equal("5", chunk.Cursor);
        Assert.Equal(0, chunk.Attempts);
        var (host2, run2, stop2) = Start();
        await UntilAsync(host2, async () => (await _store.ChunkGetAsync(chunk.Id, Ct))!.State == ChunkState.Done);
        await stop2.CancelAsync();
        await run2;
        var outputs = await _store.OutputListAsync(new OutputListParams(job), Ct);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"item-{i}"), outputs.Select(o => o.Key));
        Assert.Equal(2, (await _store.ChunkGetAsync(chunk.Id, Ct))!.Holders.Count);
    }

    [Fact]
    public async Task LeaseLost_TheHandlerStopsWritingAndTheWorkerCarriesOn()
    {
        var job = await SubmitAsync("gate", chunks: 1, itemsPerChunk: 10);
        var (host, run, stop) = Start();
        await _gate.AtFive.Task.WaitAsync(Ct);
        var chunk = Assert.Single(await _store.ChunkListAsync(new ChunkListParams(job), Ct));

        Assert.True(await _store.ChunkResetAsync(new ChunkResetParams(chunk.Id, ToZero: true, "test", _time.GetUtcNow()), Ct));
        _gate.Open.SetResult();
        host.Wake();

        await UntilAsync(host, async () => (await _store.ChunkGetAsync(chunk.Id, Ct))!.State == ChunkState.Done);
        await stop.CancelAsync();
        await run;
        var outputs = await _store.OutputListAsync(new OutputListParams(job), Ct);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"item-{i}"), outputs.Select(o => o.Key));
    }

    [Fact]
    public async Task FailingHandler_RetriesAfterItsBackoff_ThenFailsWithItsHistory()
    {
        var job = await SubmitAsync("fail", chunks: 1, itemsPerChunk: 1, maxAttempts: 2);
        var (host, run, stop) = Start();
        // At least one, not exactly one: a retry that did not wait would be past it, and the test must say so, not hang.
        await UntilAsync(host, async () => (await _store.ChunkListAsync(new ChunkListParams(job), Ct))[0].Attempts >= 1);
        var first = (await _store.ChunkListAsync(new ChunkListParams(job), Ct))[0];
        Assert.Equal((1, ChunkState.Pending), (first.Attempts, first.State));
        Assert.True(first.RunAfter > _time.GetUtcNow(), "the retry waits for its back-off");

        _time.Advance(TimeSpan.FromMinutes(11));
        host.Wake();
        await UntilAsync(host, async () => (await _store.ChunkListAsync(new ChunkListParams(job), Ct))[0].State == ChunkState.Failed);
        await stop.CancelAsync();
        await run;

        var chunk = (await _store.ChunkListAsync(new ChunkListParams(job), Ct))[0];
        using var errors = JsonDocument.Parse(chunk.Errors);
        Assert.Equal(
            ["InvalidOperationException: boom on attempt 1", "InvalidOperationException: boom on attempt 2"],
            errors.RootElement.EnumerateArray().Select(e => e.GetProperty("error").GetString()));
    }

    [Fact]
    public async Task Idle_TheWorkerBlocksOnItsWakeUp_AndClaimsOnlyWhenWoken()
    {
        var (host, run, stop) = Start();
        await host.AsleepAsync(Ct);
        var idle = host.Reports.Last();
        Assert.Equal(WorkerState.Idle, idle.State);

        // Time passes (short of the fallback poll) and nothing wakes it: it stays asleep, it does not spin.
        _time.Advance(WorkerDefaults.IdleFallbackPoll - TimeSpan.FromSeconds(1));
        Assert.Equal(1, host.Waits);

        var job = await SubmitAsync("count", chunks: 1, itemsPerChunk: 3);
        host.Wake();
        await UntilAsync(host, async () => (await _store.ChunkListAsync(new ChunkListParams(job), Ct))[0].State == ChunkState.Done);
        await stop.CancelAsync();
        await run;
        Assert.Contains(host.Reports, r => r.State == WorkerState.Busy);
    }

    [Fact]
    public async Task QuickChunks_AreClaimedAheadAndCompletedInBatches_EachExactlyOnce()
    {
        var job = await SubmitAsync("quick", chunks: 300, itemsPerChunk: 1);
        var (store, spy) = StoreSpy.Wrap(_store);
        var (host, run, stop) = Start(store: store);

        await UntilAsync(host, async () => (await _store.ChunkListAsync(new ChunkListParams(job), Ct)).All(c => c.State == ChunkState.Done));
        await stop.CancelAsync();
        await run;

        // The first claim knows nothing of the handler and takes one chunk; the next takes the rest. Completions
        // go in with the next claim, or alone when there is nothing more to claim.
        Assert.InRange(Claims(spy), 2, 4);
        Assert.InRange(CompletionBatches(spy), 2, 4);
        Assert.InRange(spy.Count(nameof(IHeavyStore.ChunkCompleteAndClaimAsync)), 1, 3);
        Assert.Equal(0, spy.Count(nameof(IHeavyStore.ChunkCheckpointAsync)));
        var outputs = await _store.OutputListAsync(new OutputListParams(job), Ct);
        Assert.Equal(300, outputs.Select(o => o.ChunkId).Distinct().Count());
        Assert.Equal(300, outputs.Count);
        Assert.Equal(300, host.Samples.Sum(s => s.Items));
    }

    [Fact]
    public async Task QuickChunksThatEmit_AreCompletedInBatchesToo_WithTheirNextStageChunks_EachOnce()
    {
        var job = await SubmitAsync("emit", chunks: 300, itemsPerChunk: 1);
        var (store, spy) = StoreSpy.Wrap(_store);
        var (host, run, stop) = Start(store: store);

        await UntilAsync(host, async () => (await _store.ChunkListAsync(new ChunkListParams(job), Ct)).Where(c => c.Stage == 0).All(c => c.State == ChunkState.Done));
        await stop.CancelAsync();
        await run;

        // No completion went on its own: the emitted chunks went in with the batches.
        Assert.Equal(0, spy.Count(nameof(IHeavyStore.ChunkCheckpointAsync)));
        Assert.InRange(CompletionBatches(spy), 2, 4);
        var chunks = await _store.ChunkListAsync(new ChunkListParams(job), Ct);
        var next = chunks.Where(c => c.Stage == 1).ToList();
        Assert.Equal(300, next.Count);
        Assert.All(next, c => Assert.Equal(ChunkState.Pending, c.State));
        Assert.Equal(300, (await _store.OutputListAsync(new OutputListParams(job), Ct)).Count);
    }

    [Fact]
    public async Task AChunkFinishedBeforeAPrefetchedOneThatRunsOn_IsCompletedWithinTheFlushInterval()
    {
        // The first claim takes chunk 1 alone (nothing is known of the handler yet); once it has run quickly,
        // the next claim takes chunks 2 and 3 together. Chunk 2 is quick; chunk 3 holds its slot.
        var job = await SubmitAsync("hold", chunks: 3, itemsPerChunk: 1);
        var (host, run, stop) = Start();
        await _hold.Held.Task.WaitAsync(Ct);

        var chunks = await _store.ChunkListAsync(new ChunkListParams(job), Ct);
        Assert.Equal(ChunkState.Running, chunks[2].State);
        Assert.Equal(chunks[1].LeaseOwner, chunks[2].LeaseOwner);

        // Chunk 2's completion must not wait for its slot to run dry: only for the flush interval.
        for (var tries = 0; (await _store.ChunkListAsync(new ChunkListParams(job), Ct))[1].State != ChunkState.Done; tries++)
        {
            Assert.True(tries < 250, "chunk 2 was not completed while chunk 3 held its slot");
            _time.Advance(WorkerDefaults.CompletionFlushInterval);
            await Task.Delay(20, Ct);
        }

        Assert.Equal(ChunkState.Running, (await _store.ChunkListAsync(new ChunkListParams(job), Ct))[2].State);
        _hold.Open.SetResult();
        await UntilAsync(host, async () => (await _store.ChunkListAsync(new ChunkListParams(job), Ct)).All(c => c.State == ChunkState.Done));
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task ACompletionBatchAndClaimThatFails_ClaimsNothing_AndItsCompletionsGoInWithTheNextTry()
    {
        var job = await SubmitAsync("quick", chunks: 300, itemsPerChunk: 1);
        var (store, spy) = StoreSpy.Wrap(_store);
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // The first transaction that carries completions and a claim fails, as when the database goes away.
        spy.Intercept = (method, n, args, inner) => method == nameof(IHeavyStore.ChunkCompleteAndClaimAsync) && n == 1 ? FailAsync() : null;
        async Task<CompletedAndClaimed> FailAsync()
        {
            await Task.Yield();
            failed.SetResult();
            throw new InvalidOperationException("the database went away");
        }

        var (host, run, stop) = Start(store: store);
        await failed.Task.WaitAsync(Ct);

        // Nothing of it was written: the first chunk, finished, is still held; nothing more was claimed.
        var rows = await _store.ChunkListAsync(new ChunkListParams(job), Ct);
        Assert.Equal(1, rows.Count(c => c.State == ChunkState.Running));
        Assert.Equal(299, rows.Count(c => c.State == ChunkState.Pending));

        // After its back-off the worker tries again, with the same completion, and carries on.
        await UntilAsync(host, async () =>
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            return (await _store.ChunkListAsync(new ChunkListParams(job), Ct)).All(c => c.State == ChunkState.Done);
        });
        await stop.CancelAsync();
        await run;
        Assert.InRange(spy.Count(nameof(IHeavyStore.ChunkCompleteAndClaimAsync)), 2, 4);
        var outputs = await _store.OutputListAsync(new OutputListParams(job), Ct);
        Assert.Equal(300, outputs.Count);
        Assert.Equal(300, outputs.Select(o => o.ChunkId).Distinct().Count());
    }

    [Fact]
    public async Task EachHandlerStarts_OnlyOnceTheHostHeardItRuns_WithoutTheChunksClaimedAheadOrFinished()
    {
        var job = await SubmitAsync("probe", chunks: 300, itemsPerChunk: 1);
        var (store, spy) = StoreSpy.Wrap(_store);
        var (host, run, stop) = Start(store: store);

        await UntilAsync(host, async () => (await _store.ChunkListAsync(new ChunkListParams(job), Ct)).All(c => c.State == ChunkState.Done));
        await stop.CancelAsync();
        await run;

        // The worker did hold chunks it was not running: most of them came in one claim.
        Assert.InRange(Claims(spy), 2, 4);
        // With one slot, what the host last heard as each handler started is that chunk alone: not the ones waiting
        // in the queue, nor the finished ones whose completions were not yet committed. A monitor counts a death
        // only for what it last heard.
        Assert.Equal(300, _probe.Seen.Count);
        Assert.All(_probe.Seen, s => Assert.Equal([s.ChunkId], s.Running));
        Assert.Empty(host.LastRunning);
    }

    [Fact]
    public async Task WorkerDyingWithBufferedCompletions_LosesOnlyThose_AndTheirLateCommitIsRefused()
    {
        var job = await SubmitAsync("quick", chunks: 50, itemsPerChunk: 1);
        var (store, spy) = StoreSpy.Wrap(_store);
        var flushing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        IReadOnlyList<long>? lateResult = null;
        var batches = 0;
        // The worker's second batch of completions (alone or with its next claim) hangs on its way to the
        // store, as if the process froze there and died.
        spy.Intercept = (method, n, args, inner) => method switch
        {
            nameof(IHeavyStore.ChunkCompleteManyAsync) when Interlocked.Increment(ref batches) == 2 =>
                HangThenAsync(async () => lateResult = await inner.ChunkCompleteManyAsync((ChunkCompleteManyParams)args[0]!, CancellationToken.None)),
            nameof(IHeavyStore.ChunkCompleteAndClaimAsync) when Interlocked.Increment(ref batches) == 2 =>
                HangThenAsync(async () =>
                {
                    var both = await inner.ChunkCompleteAndClaimAsync((ChunkCompleteAndClaimParams)args[0]!, CancellationToken.None);
                    lateResult = both.Completed;
                    return both;
                }),
            _ => null,
        };
        async Task<T> HangThenAsync<T>(Func<Task<T>> commit)
        {
            flushing.SetResult();
            await resume.Task;
            return await commit();
        }

        var (_, run, stop) = Start(store: store);
        await flushing.Task.WaitAsync(Ct);
        var held = (await _store.ChunkListAsync(new ChunkListParams(job), Ct)).Where(c => c.State == ChunkState.Running).ToList();
        Assert.Equal(49, held.Count);

        // The monitor sees the process gone and returns everything it held; another holder takes those chunks.
        var dead = held[0].LeaseOwner!.Value;
        Assert.Equal(49, (await _store.ChunkReclaimByWorkerAsync(new ChunkReclaimByWorkerParams(dead, "killed", _time.GetUtcNow()), Ct)).Count);
        const long heir = 999;
        var taken = await _store.ChunkClaimAsync(new ChunkClaimParams(heir, ["quick"], 100, _time.GetUtcNow(), TimeSpan.FromMinutes(5)), Ct);
        Assert.Equal(49, taken.Count);

        // The frozen batch arrives while the heir holds them: running and owned, as when it was sent, so only the
        // epoch tells the two holders apart. Every completion in it is stale, and it writes nothing.
        resume.SetResult();
        await stop.CancelAsync();
        await run;
        Assert.Empty(lateResult!);
        Assert.Single(await _store.OutputListAsync(new OutputListParams(job), Ct));
        Assert.All(
            (await _store.ChunkListAsync(new ChunkListParams(job), Ct)).Where(c => c.State != ChunkState.Done),
            c => Assert.Equal((ChunkState.Running, heir), (c.State, c.LeaseOwner ?? 0)));

        // The heir gives them back, and a worker runs them to their end.
        foreach (var c in taken)
        {
            Assert.True(await _store.ChunkReleaseAsync(new ChunkReleaseParams(c.Id, c.Epoch, _time.GetUtcNow()), Ct));
        }

        var (host2, run2, stop2) = Start();
        await UntilAsync(host2, async () => (await _store.ChunkListAsync(new ChunkListParams(job), Ct)).All(c => c.State == ChunkState.Done));
        await stop2.CancelAsync();
        await run2;
        var outputs = await _store.OutputListAsync(new OutputListParams(job), Ct);
        Assert.Equal(50, outputs.Count);
        Assert.Equal(50, outputs.Select(o => o.ChunkId).Distinct().Count());
        var chunks = await _store.ChunkListAsync(new ChunkListParams(job), Ct);
        Assert.All(chunks, c => Assert.Equal(new ChunkCounters(1, 1, 0), c.Counters));
        Assert.Equal(49, chunks.Count(c => c.Holders.Count == 3));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task QuickCheckpoints_AreWrittenBehind_TheHandlerNeverWaits_AndTheLastHeldOneGoesInWithTheCompletion(bool storeBlocksTheCaller)
    {
        var job = await SubmitAsync("twostep", chunks: 1, itemsPerChunk: 1);
        var (store, commit) = WithSlowFirstCheckpoint(_store, storeBlocksTheCaller);
        var spy = (StoreSpy)(object)store;
        // Each step takes 30 ms on the fake clock, under the 50 ms window: the first checkpoint is held, and
        // written when the window since the chunk's start runs out, during the second step; the second is held.
        _steps.Work = () => _time.Advance(TimeSpan.FromMilliseconds(30));

        var (host, run, stop) = Start(store: store);

        // The handler gets past both checkpoints while the first write is still stuck. (A handler stuck in
        // that commit would never get past them: the bound turns that hang into a failure.)
        await _steps.PastSecond.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Null((await _store.ChunkListAsync(new ChunkListParams(job), Ct))[0].Cursor);
        commit.SetResult();

        await UntilAsync(host, async () => (await _store.ChunkListAsync(new ChunkListParams(job), Ct))[0].State == ChunkState.Done);
        await stop.CancelAsync();
        await run;
        var chunk = (await _store.ChunkListAsync(new ChunkListParams(job), Ct))[0];
        Assert.Equal("2", chunk.Cursor);
        Assert.Equal(new ChunkCounters(2, 2, 0), chunk.Counters);
        Assert.Equal(1, spy.Count(nameof(IHeavyStore.ChunkCheckpointAsync)));
    }

    // A deadline: a held checkpoint that is never written would otherwise leave the test waiting for good.
    [Fact(Timeout = 60_000)]
    public async Task AHeldCheckpoint_IsWrittenOnceTheWindowSinceTheLastWriteIsOver_ThoughTheHandlerCheckpointsNoMore()
    {
        var job = await SubmitAsync("gate", chunks: 1, itemsPerChunk: 10);
        var (store, spy) = StoreSpy.Wrap(_store);
        var (host, run, stop) = Start(store: store);

        // Five checkpoints in no time on the fake clock: all held, none written.
        await _gate.AtFive.Task.WaitAsync(Ct);
        Assert.Null((await _store.ChunkListAsync(new ChunkListParams(job), Ct))[0].Cursor);
        Assert.Equal(0, spy.Count(nameof(IHeavyStore.ChunkCheckpointAsync)));

        // The handler waits; the window since the chunk started runs out, and the five go in one write.
        _time.Advance(WorkerDefaults.WriteBehindUnder);
        while ((await _store.ChunkListAsync(new ChunkListParams(job), Ct))[0].Cursor != "5")
        {
            await Task.Delay(10, Ct);
        }

        Assert.Equal(1, spy.Count(nameof(IHeavyStore.ChunkCheckpointAsync)));
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"item-{i}"), (await _store.OutputListAsync(new OutputListParams(job), Ct)).Select(o => o.Key));

        // The sixth checkpoint comes a whole window after the fifth (the handler waited): it is written before
        // it returns. The last four come at once, are held, and go in with the chunk's completion.
        _gate.Open.SetResult();
        await UntilAsync(host, async () => (await _store.ChunkListAsync(new ChunkListParams(job), Ct))[0].State == ChunkState.Done);
        await stop.CancelAsync();
        await run;
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"item-{i}"), (await _store.OutputListAsync(new OutputListParams(job), Ct)).Select(o => o.Key));
        Assert.Equal(2, spy.Count(nameof(IHeavyStore.ChunkCheckpointAsync)));
        Assert.Equal(new ChunkCounters(10, 10, 0), (await _store.ChunkListAsync(new ChunkListParams(job), Ct))[0].Counters);
    }

    [Theory]
    [InlineData("a step of 50 ms, the default threshold", 50, null)]
    [InlineData("write-behind turned off", 0, 0)]
    public async Task Checkpoint_NotSoonerThanTheThreshold_ReturnsOnlyOnceCommitted(string why, int stepMs, int? writeBehindUnderMs)
    {
        Assert.NotEmpty(why);
        var job = await SubmitAsync("twostep", chunks: 1, itemsPerChunk: 1);
        var (store, commit) = WithSlowFirstCheckpoint(_store);
        _steps.Work = () => _time.Advance(TimeSpan.FromMilliseconds(stepMs));

        var (host, run, stop) = Start(store: store, writeBehindUnder: writeBehindUnderMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null);

        // The handler is held at its first checkpoint until the commit is back.
        await Task.Delay(50, Ct);
        Assert.False(_steps.PastFirst.Task.IsCompleted);
        commit.SetResult();
        await _steps.PastFirst.Task.WaitAsync(Ct);
        Assert.Contains((await _store.ChunkListAsync(new ChunkListParams(job), Ct))[0].Cursor, new[] { "1", "2" });

        await UntilAsync(host, async () => (await _store.ChunkListAsync(new ChunkListParams(job), Ct))[0].State == ChunkState.Done);
        await stop.CancelAsync();
        await run;
    }

    /// <summary>
    /// A store whose first checkpoint commit waits until the returned source is set: awaiting it, or blocking
    /// its caller's thread before it returns a task at all, as a driver with synchronous I/O does (SQLite's).
    /// </summary>
    private static (IHeavyStore Store, TaskCompletionSource Commit) WithSlowFirstCheckpoint(IHeavyStore real, bool blocksTheCaller = false)
    {
        var (store, spy) = StoreSpy.Wrap(real);
        var commit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        spy.Intercept = (method, n, args, inner) => method == nameof(IHeavyStore.ChunkCheckpointAsync) && n == 1
            ? blocksTheCaller ? Blocking((ChunkCheckpointParams)args[0]!, inner) : SlowAsync((ChunkCheckpointParams)args[0]!, inner)
            : null;
        async Task<CheckpointOutcome> SlowAsync(ChunkCheckpointParams p, IHeavyStore inner)
        {
            await commit.Task;
            return await inner.ChunkCheckpointAsync(p, CancellationToken.None);
        }

        Task<CheckpointOutcome> Blocking(ChunkCheckpointParams p, IHeavyStore inner)
        {
            commit.Task.Wait(TestContext.Current.CancellationToken);
            return inner.ChunkCheckpointAsync(p, CancellationToken.None);
        }

        return (store, commit);
    }

    [Fact]
    public async Task Heartbeat_IdleEveryIdlePeriod_BusyEveryPeriod()
    {
        var options = new WorkerOptions { HeartbeatInterval = TimeSpan.FromSeconds(1), IdleHeartbeatInterval = TimeSpan.FromSeconds(5) };
        var (host, run, stop) = Start(options: options);
        await host.AsleepAsync(Ct);
        var idleSince = _time.GetUtcNow();

        // Idle: one heartbeat per five seconds. The seconds between are given a moment to show a heartbeat
        // that should not be there; the expected ones are waited for.
        for (var second = 1; second <= 10; second++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            if (second % 5 == 0)
            {
                var beat = await DueHeartbeatAsync(host);
                Assert.Equal(idleSince.AddSeconds(second), beat.At);
                Assert.Equal(WorkerState.Idle, beat.Status.State);
            }
            else
            {
                await Task.Delay(50, Ct);
                Assert.False(host.TryTakeHeartbeat(out var early), $"an idle worker heartbeat {second} s into its 5 s period (at {early.At:T})");
            }
        }

        // Busy: every second, starting a whole second after it went busy (going busy was reported at once).
        await SubmitAsync("gate", chunks: 1, itemsPerChunk: 10);
        host.Wake();
        await _gate.AtFive.Task.WaitAsync(Ct);
        var busySince = _time.GetUtcNow();
        for (var second = 1; second <= 3; second++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            var beat = await DueHeartbeatAsync(host);
            Assert.Equal(busySince.AddSeconds(second), beat.At);
            Assert.Equal(WorkerState.Busy, beat.Status.State);
        }

        _gate.Open.SetResult();
        await stop.CancelAsync();
        await run;
    }

    /// <summary>
    /// The heartbeat the fake clock just made due. One that never comes (a timer reset after the clock moved past
    /// it) fails here with a message rather than hanging the run: the wait is in real time, and generous.
    /// </summary>
    private static async Task<(DateTimeOffset At, WorkerStatus Status)> DueHeartbeatAsync(TestWorkerHost host)
    {
        try
        {
            return await host.NextHeartbeatAsync(Ct).AsTask().WaitAsync(TimeSpan.FromMinutes(1), Ct);
        }
        catch (TimeoutException)
        {
            Assert.Fail("a heartbeat due on the fake clock was not sent within a minute: the worker set its timer after the test moved the clock");
            throw;
        }
    }

    private (TestWorkerHost Host, Task Run, CancellationTokenSource Stop) Start(int concurrency = 1, IHeavyStore? store = null, TimeSpan? writeBehindUnder = null, WorkerOptions? options = null)
    {
        store ??= _store;
        var registry = HandlerRegistry.CreateBuilder()
            .Add<CountingHandler>("count")
            .Add("gate", () => new GateHandler(_gate))
            .Add<FailingHandler>("fail")
            .Add<QuickHandler>("quick")
            .Add<QuickEmitHandler>("emit")
            .Add("twostep", () => new TwoStepHandler(_steps))
            .Add("hold", () => new HoldAfterHandler(_hold))
            .Add("probe", () => new RunningProbeHandler(_probe))
            .Add("keyed", () => new KeyedReadHandler(_reads))
            .Build();
        var host = new TestWorkerHost(store, _time);
        _probe.Host = host;
        var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        options = (options ?? new WorkerOptions()) with { Concurrency = concurrency, WriteBehindUnder = writeBehindUnder ?? WorkerDefaults.WriteBehindUnder };
        var worker = new ChunkWorker(store, registry, host, options, _time, NullLoggerFactory.Instance);
        return (host, Task.Run(() => worker.RunAsync(stop.Token), Ct), stop);
    }

    /// <summary>Waits for the worker to go to sleep until the condition holds; every sleep is a point where the worker has nothing left to do.</summary>
    private static async Task UntilAsync(TestWorkerHost host, Func<Task<bool>> condition)
    {
        while (!await condition())
        {
            // A worker that was already asleep when its last chunk finished may not say so again (it keeps the
            // wait it had): look again after a moment too, so a lost signal costs 100 ms, not the test.
            var asleep = host.AsleepAsync(Ct);
            await Task.WhenAny(asleep, Task.Delay(TimeSpan.FromMilliseconds(100), Ct));
        }
    }

    private async Task<long> SubmitAsync(string type, int chunks, int itemsPerChunk, int maxAttempts = 5)
    {
        var definition = new JobDefinition(
            type,
            [new StageDefinition("main", type, StageMode.Streaming)],
            JsonSerializer.SerializeToElement(new { every = 3 }),
            new ChunkSplit.Range(0, chunks * itemsPerChunk, itemsPerChunk),
            0,
            maxAttempts);
        var registry = HandlerRegistry.CreateBuilder().Add<CountingHandler>("count").Add<CountingHandler>("gate").Add<FailingHandler>("fail").Add<QuickHandler>("quick").Add<QuickHandler>("emit").Add<QuickHandler>("twostep").Add<QuickHandler>("hold").Add<QuickHandler>("probe").Add<QuickHandler>("keyed").Build();
        return (await JobSubmitter.SubmitAsync(_store, registry, definition, "test", _dir, _time, Ct)).JobId;
    }

    /// <summary>Claims made, alone or with a batch of completions.</summary>
    private static int Claims(StoreSpy spy) =>
        spy.Count(nameof(IHeavyStore.ChunkClaimAsync)) + spy.Count(nameof(IHeavyStore.ChunkCompleteAndClaimAsync));

    /// <summary>Batches of completions committed, alone or with the next claim.</summary>
    private static int CompletionBatches(StoreSpy spy) =>
        spy.Count(nameof(IHeavyStore.ChunkCompleteManyAsync)) + spy.Count(nameof(IHeavyStore.ChunkCompleteAndClaimAsync));
}
