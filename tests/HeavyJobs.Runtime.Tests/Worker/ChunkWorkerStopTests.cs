using System.Globalization;
using System.Text.Json;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Handlers;
using HeavyJobs.Core.Model;
using HeavyJobs.Runtime.Jobs;
using HeavyJobs.Runtime.Worker;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Faults;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace HeavyJobs.Runtime.Tests.Worker;

/// <summary>Handlers that carry on after they were told to stop, or after a checkpoint failed: nothing uncovered is committed.</summary>
public sealed class ChunkWorkerStopTests : IAsyncLifetime
{
    private const int Items = 6;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "heavyjobs-tests", Guid.NewGuid().ToString("N"));
    private readonly CarryOnHandler.Gate _gate = new();
    private SqliteStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = new SqliteStore(Path.Combine(_dir, "s.db"), new SqliteStoreOptions { Synchronous = "NORMAL" }, _time);
        await _store.MigrateAsync(Ct);
    }

    public async ValueTask DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task AHandlerThatReturnsWhenACheckpointSaysItsJobIsPaused_HasStopped_AndWhatItDidAfterIsNotCommitted()
    {
        var job = await SubmitAsync();
        var (host, run, stop) = Start(_store);
        await _gate.AtThree.Task.WaitAsync(Ct);

        // Paused while the handler works: its next checkpoint is written and says so; the handler swallows
        // that, does one more item, and returns.
        Assert.True(await _store.JobPauseAsync(new JobChangeParams(job, _time.GetUtcNow()), Ct));
        _gate.Open.SetResult();
        await UntilAsync(host, async () => (await _store.ChunkListAsync(new ChunkListParams(job), Ct))[0].LeaseOwner is null);

        var chunk = (await _store.ChunkListAsync(new ChunkListParams(job), Ct))[0];
        Assert.Equal(ChunkState.Paused, chunk.State);
        Assert.Equal("4", chunk.Cursor);
        Assert.Equal(new ChunkCounters(4, 4, 0), chunk.Counters);
        Assert.Equal(Keys(4), await OutputKeysAsync(job));

        Assert.True(await _store.JobResumeAsync(new JobChangeParams(job, _time.GetUtcNow()), Ct));
        await EndsWithEveryItemOnceAsync(job, host, run, stop);
    }

    [Fact]
    public async Task AHandlerThatCatchesAFailedCheckpointAndGoesOn_CommitsNothingMore_AndTheChunkRetriesFromTheLastCommittedOne()
    {
        var job = await SubmitAsync();
        var (store, spy) = StoreSpy.Wrap(_store);
        // The second checkpoint (cursor 2, with item 1's output) fails as when the database goes away.
        spy.Intercept = (method, n, args, inner) => method == nameof(IHeavyStore.ChunkCheckpointAsync) && n == 2
            ? Task.FromException<CheckpointOutcome>(new InvalidOperationException("the database went away"))
            : null;
        _gate.FirstRun = 0;
        var (host, run, stop) = Start(store);

        // (Done would be the hole: a cursor past an output that was never written.)
        await FailsBackThenEndsWithEveryItemOnceAsync(job, host, run, stop, committedBelow: 1);
    }

    [Fact]
    public async Task ACheckpointThatLandedButWhoseAnswerWasLost_IsTakenAsFailed_AndTheChunkResumesFromWhatTheStoreHolds_EachItemOnce()
    {
        var job = await SubmitAsync();
        var (store, spy) = StoreSpy.Wrap(_store);
        // The second checkpoint (cursor 2, with item 1's output) commits, and then the connection breaks before
        // its answer comes back (PostgreSQL's StoreCommitUnknownException; PostgresCommitOutcomeTests shows the
        // store raising it).
        spy.Intercept = (method, n, args, inner) => method == nameof(IHeavyStore.ChunkCheckpointAsync) && n == 2
            ? LandThenLoseTheAnswerAsync(inner, (ChunkCheckpointParams)args[0]!, (CancellationToken)args[1]!)
            : null;
        _gate.FirstRun = 0;
        var (host, run, stop) = Start(store);

        await FailsBackThenEndsWithEveryItemOnceAsync(job, host, run, stop, committedBelow: 2);

        static async Task<CheckpointOutcome> LandThenLoseTheAnswerAsync(IHeavyStore inner, ChunkCheckpointParams p, CancellationToken ct)
        {
            Assert.Equal(CheckpointOutcome.Committed, await inner.ChunkCheckpointAsync(p, ct));
            throw new StoreCommitUnknownException(new IOException("connection reset by peer"));
        }
    }

    [Fact]
    public async Task AClaimTheStoreAnswersAfterTheStop_GoesBackReleased_NotLeftHeldByAWorkerThatIsGone()
    {
        // Over a pipe the monitor claims in the store whatever the worker does meanwhile; a stop that comes while
        // the answer is on its way must not make the worker drop chunks it now holds (they would stay held until
        // its exit, and their hold would end as a death).
        var job = await SubmitAsync();
        var (store, spy) = StoreSpy.Wrap(_store);
        var claimed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        spy.Intercept = (method, n, args, inner) => method == nameof(IHeavyStore.ChunkClaimAsync) && n == 1
            ? AnswerAfterTheStopAsync(inner, (ChunkClaimParams)args[0]!, (CancellationToken)args[1]!)
            : null;
        var (_, run, stop) = Start(store);

        await claimed.Task.WaitAsync(Ct);
        await stop.CancelAsync();
        stopped.SetResult();
        await run.WaitAsync(Ct);

        var chunk = (await _store.ChunkListAsync(new ChunkListParams(job), Ct))[0];
        Assert.Null(chunk.LeaseOwner);
        Assert.Equal(ChunkState.Pending, chunk.State);
        var hold = Assert.Single((await _store.ChunkHistoryAsync(chunk.Id, Ct))!.Holds);
        Assert.Equal(HoldEndings.Released, hold.Ended);

        async Task<IReadOnlyList<ClaimedChunk>> AnswerAfterTheStopAsync(IHeavyStore inner, ChunkClaimParams claim, CancellationToken ct)
        {
            var taken = await inner.ChunkClaimAsync(claim, CancellationToken.None);
            claimed.SetResult();
            await stopped.Task.WaitAsync(ct);
            return taken;
        }
    }

    /// <summary>
    /// The chunk's run ends in a failed attempt, the chunk back at cursor <paramref name="committedBelow"/> with
    /// exactly the outputs below it; after its back-off it runs again and ends with every item once.
    /// </summary>
    private async Task FailsBackThenEndsWithEveryItemOnceAsync(long job, TestWorkerHost host, Task run, CancellationTokenSource stop, int committedBelow)
    {
        await UntilAsync(host, async () => (await _store.ChunkListAsync(new ChunkListParams(job), Ct))[0] is { Attempts: 1 } or { State: ChunkState.Done });
        var chunk = (await _store.ChunkListAsync(new ChunkListParams(job), Ct))[0];
        Assert.Equal(ChunkState.Pending, chunk.State);
        Assert.Equal(committedBelow.ToString(CultureInfo.InvariantCulture), chunk.Cursor);
        Assert.Equal(Keys(committedBelow), await OutputKeysAsync(job));

        _time.Advance(TimeSpan.FromMinutes(11));
        await EndsWithEveryItemOnceAsync(job, host, run, stop);
    }

    /// <summary>Woken, the worker runs the chunk to its end; stopped, the job holds every item once.</summary>
    private async Task EndsWithEveryItemOnceAsync(long job, TestWorkerHost host, Task run, CancellationTokenSource stop)
    {
        host.Wake();
        await UntilAsync(host, async () => (await _store.ChunkListAsync(new ChunkListParams(job), Ct))[0].State == ChunkState.Done);
        await stop.CancelAsync();
        await run;
        Assert.Equal(Keys(Items), await OutputKeysAsync(job));
        Assert.Equal(new ChunkCounters(Items, Items, 0), (await _store.ChunkListAsync(new ChunkListParams(job), Ct))[0].Counters);
    }

    private static List<string> Keys(int below) => [.. Enumerable.Range(0, below).Select(i => Script.Key(i))];

    private async Task<List<string>> OutputKeysAsync(long job) =>
        [.. (await _store.OutputListAsync(new OutputListParams(job), Ct)).Select(o => o.Key).Order(StringComparer.Ordinal)];

    private (TestWorkerHost Host, Task Run, CancellationTokenSource Stop) Start(IHeavyStore store)
    {
        var registry = HandlerRegistry.CreateBuilder().Add("carry-on", () => new CarryOnHandler(_gate)).Build();
        var host = new TestWorkerHost(store, _time);
        var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        // Every checkpoint is written before it returns: what it met is what the handler catches.
        var options = new WorkerOptions { WriteBehindUnder = TimeSpan.Zero };
        var worker = new ChunkWorker(store, registry, host, options, _time, NullLoggerFactory.Instance);
        return (host, Task.Run(() => worker.RunAsync(stop.Token), Ct), stop);
    }

    private static async Task UntilAsync(TestWorkerHost host, Func<Task<bool>> condition)
    {
        while (!await condition())
        {
            var asleep = host.AsleepAsync(Ct);
            await Task.WhenAny(asleep, Task.Delay(TimeSpan.FromMilliseconds(20), Ct));
        }
    }

    private async Task<long> SubmitAsync()
    {
        var definition = new JobDefinition(
            "carry-on",
            [new StageDefinition("main", "carry-on", StageMode.Streaming)],
            JsonSerializer.SerializeToElement(new { }),
            new ChunkSplit.Range(0, Items, Items),
            0,
            5);
        var registry = HandlerRegistry.CreateBuilder().Add("carry-on", () => new CarryOnHandler(_gate)).Build();
        return (await JobSubmitter.SubmitAsync(_store, registry, definition, "test", _dir, _time, Ct)).JobId;
    }

    /// <summary>
    /// One output and a checkpoint per item. It swallows what a checkpoint throws and carries on; told its job
    /// is paused, it does one item more and returns. Its first run waits at item 3 for the gate.
    /// </summary>
    private sealed class CarryOnHandler(CarryOnHandler.Gate gate) : IChunkHandler
    {
        public async ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken)
        {
            var next = context.Cursor is { } c ? int.Parse(c, CultureInfo.InvariantCulture) : 0;
            while (next < Items)
            {
                if (next == 3 && Interlocked.Exchange(ref gate.FirstRun, 0) == 1)
                {
                    gate.AtThree.TrySetResult();
                    await gate.Open.Task.WaitAsync(cancellationToken);
                }

                context.Output(Script.Key(next), "1");
                context.Add(1, good: 1);
                next++;
                try
                {
                    await context.CheckpointAsync(next.ToString(CultureInfo.InvariantCulture), cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    context.Output(Script.Key(next), "1");
                    context.Add(1, good: 1);
                    return;
                }
                catch (InvalidOperationException)
                {
                }
            }
        }

        internal sealed class Gate
        {
            public int FirstRun = 1;

            public TaskCompletionSource AtThree { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public TaskCompletionSource Open { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }
}
