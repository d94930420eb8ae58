using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Handlers;
using HeavyJobs.Core.Model;
using HeavyJobs.Runtime.Monitor;
using HeavyJobs.Runtime.Protocol;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Changes;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Sqlite;
using HeavyJobs.Runtime.Tests.Worker;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace HeavyJobs.Runtime.Tests.Monitor;

/// <summary>
/// The monitor's default durations, held to what docs/guarantees.md says with a fake clock: a real SQLite store
/// and a real process as the worker, every default untouched.
/// </summary>
public sealed class MonitorDefaultsTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "heavyjobs-defaults-tests", Guid.NewGuid().ToString("N"));
    private SqliteStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _store = new SqliteStore(Path.Combine(_dir, "h.db"), time: _time);
        await _store.MigrateAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task ABusyWorker_SilentFor15Seconds_IsHung_NotAMomentSooner()
    {
        var (m, hangs) = Monitor(_store);
        await using var loop = LoopbackWorker.Start(_time, "t");
        await loop.HeartbeatAsync("busy", 1, Ct);

        _time.Advance(TimeSpan.FromSeconds(15) - TimeSpan.FromMilliseconds(1));
        Assert.Null(hangs.Why(loop.Worker, _time.GetTimestamp()));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("no heartbeat for 15 s", hangs.Why(loop.Worker, _time.GetTimestamp()));
        Assert.Equal(TimeSpan.FromSeconds(15), m.Options.HungAfter);
    }

    [Fact]
    public async Task AnIdleWorker_IsHungOnlyAfterThreeOfItsIdleHeartbeats_45Seconds()
    {
        var (_, hangs) = Monitor(_store);
        await using var loop = LoopbackWorker.Start(_time, "t");
        await loop.HeartbeatAsync("idle", 0, Ct);

        _time.Advance(TimeSpan.FromSeconds(45) - TimeSpan.FromMilliseconds(1));
        Assert.Null(hangs.Why(loop.Worker, _time.GetTimestamp()));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("no heartbeat for 45 s", hangs.Why(loop.Worker, _time.GetTimestamp()));
    }

    [Fact]
    public async Task ABusyWorker_HeartbeatingWithoutProgress_IsHungAtItsTypesStallTimeout_5Minutes()
    {
        var (_, hangs) = Monitor(_store);
        await using var loop = LoopbackWorker.Start(_time, "t");
        await loop.HeartbeatAsync("busy", 1, Ct);
        for (var beat = 1; beat <= 29; beat++)
        {
            _time.Advance(TimeSpan.FromSeconds(10));
            await loop.HeartbeatAsync("busy", 1, Ct);
            Assert.Null(hangs.Why(loop.Worker, _time.GetTimestamp()));
        }

        _time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromMilliseconds(1));
        await loop.HeartbeatAsync("busy", 1, Ct);
        Assert.Null(hangs.Why(loop.Worker, _time.GetTimestamp()));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.StartsWith("no progress for 300 s while busy on chunk 7 (stall timeout 300 s)", hangs.Why(loop.Worker, _time.GetTimestamp()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorkComingDueByTimeAlone_WakesAnIdleWorker_AtTheDefault15sProbe_NotSooner()
    {
        // A retry whose back-off ends 1 s from now: nothing is written when it comes due, so nothing is notified.
        var inserted = await _store.JobInsertAsync(
            new JobInsertParams("t", [new StageDefinition("main", "t", StageMode.Streaming)], "{}", ["{}"], 0, 5, _time.GetUtcNow()),
            Ct);
        var chunk = Assert.Single(await _store.ChunkClaimAsync(new ChunkClaimParams(999, ["t"], 1, _time.GetUtcNow(), TimeSpan.FromMinutes(5)), Ct));
        await _store.ChunkFailAsync(new ChunkFailParams(chunk.Id, chunk.Epoch, 999, "again later", _time.GetUtcNow().AddSeconds(1), _time.GetUtcNow()), Ct);
        Assert.True(inserted.JobId > 0);

        var entered = new SemaphoreSlim(0);
        var probes = new List<DateTimeOffset>();
        var (store, spy) = StoreSpy.Wrap(_store);
        spy.Intercept = (name, _, _, inner) => name switch
        {
            nameof(IChangeSource.CreateChangeWatcher) => new EnteredWatcher(inner.CreateChangeWatcher(), entered),
            nameof(IMonitorStore.ChunkReadyTypesAsync) => Record(probes, _time.GetUtcNow()),
            _ => null,
        };
        var (m, _) = Monitor(store);
        await using var loop = LoopbackWorker.Start(_time, "t");
        await loop.HeartbeatAsync("idle", 0, Ct);
        m.Add(loop.Worker);
        var start = _time.GetUtcNow();

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var watching = new IdleWaker(m, new TurnGate(1)).WatchAsync(stop.Token);
        Assert.True(await entered.WaitAsync(TimeSpan.FromSeconds(30), Ct), "the watcher started waiting");
        // Time moves in the watcher's own steps up to a hair past 15 s, and no further: a probe, if any, is at most that late.
        while (_time.GetUtcNow() - start < TimeSpan.FromSeconds(15))
        {
            _time.Advance(TimeSpan.FromMilliseconds(20));
            await Task.Delay(2, Ct);
        }

        await loop.Woken.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await stop.CancelAsync();
        await watching;
        var first = Assert.Single(probes) - start;
        Assert.InRange(first, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15.02));
    }

    [Fact]
    public async Task AWorkerThatBecomesReady_HasItsRowWrittenAtTheNextStep_NotAnIdlePeriodLater()
    {
        var (m, _) = Monitor(_store);
        var heartbeats = new Heartbeats(m);
        await using var loop = LoopbackWorker.Start(_time, "t");
        m.Add(loop.Worker);
        var beat = _time.GetTimestamp();
        await heartbeats.BeatAsync(Ct);
        Assert.Equal(WorkerState.Starting, loop.Worker.StateAtLastRow);
        Assert.False(heartbeats.Due(beat, _time.GetTimestamp()), "a beat is due while the worker starts and its row says so");

        _time.Advance(TimeSpan.FromMilliseconds(400));
        await loop.HeartbeatAsync("idle", 0, Ct, holding: false);
        Assert.Equal(Heartbeats.IdleStep, heartbeats.Period());
        Assert.True(heartbeats.Due(beat, _time.GetTimestamp()), "the ready worker's row waits for the idle period");

        beat = _time.GetTimestamp();
        await heartbeats.BeatAsync(Ct);
        Assert.Equal(WorkerState.Idle, loop.Worker.StateAtLastRow);
        _time.Advance(Heartbeats.IdleStep - TimeSpan.FromMilliseconds(1));
        Assert.False(heartbeats.Due(beat, _time.GetTimestamp()), "an idle machine beats once a period, not at every step");
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(heartbeats.Due(beat, _time.GetTimestamp()));
    }

    [Fact]
    public async Task AWorkerThatBecomesReady_WakesTheLoop_WithoutWaitingForItsHalfSecondStep()
    {
        // `cat` as the worker: the heartbeat the test writes to its stdin comes back on its stdout to the monitor's reader.
        var options = new MonitorOptions { ExternalWorkers = new Dictionary<string, IReadOnlyList<string>> { ["t"] = ["cat"] } };
        var m = new MonitorContext(_store, HandlerRegistry.CreateBuilder().Build(), options, _time, NullLogger.Instance);
        var supervisor = new WorkerSupervisor(m, new WorkerProxy(_store, options, _time));
        await supervisor.StartAsync("t", "test", Ct);
        var worker = Assert.Single(m.Live());
        try
        {
            while (m.Signal.CurrentCount > 0)
            {
                await m.Signal.WaitAsync(Ct);
            }

            // The fake clock never moves: only the worker's change of state can end the loop's wait.
            worker.Send(new HeartbeatMessage("starting", [], 0, 0, 0, 0, []));
            worker.Send(new HeartbeatMessage("idle", [], 0, 0, 0, 0, []));
            Assert.True(await m.Signal.WaitAsync(TimeSpan.FromSeconds(30), Ct), "the ready worker woke the monitor's loop");
            Assert.Equal(WorkerState.Idle, worker.State);
            Assert.False(worker.Exited.IsCompleted, "the wake-up was the worker's readiness, not its exit");
        }
        finally
        {
            worker.Kill();
            await worker.Exited;
        }
    }

    private static object? Record(List<DateTimeOffset> probes, DateTimeOffset now)
    {
        lock (probes)
        {
            probes.Add(now);
        }

        // Go on to the store.
        return null;
    }

    private (MonitorContext Context, HangDetector Hangs) Monitor(IMonitorStore store)
    {
        var options = new MonitorOptions();
        var m = new MonitorContext(store, HandlerRegistry.CreateBuilder().Build(), options, _time, NullLogger.Instance);
        return (m, new HangDetector(m, new Heartbeats(m)));
    }

    /// <summary>The store's own watcher, opened before it is handed out, that says when a wait has begun (its deadline is then set).</summary>
    private sealed class EnteredWatcher : IChangeWatcher
    {
        private readonly IChangeWatcher _inner;
        private readonly SemaphoreSlim _entered;

        public EnteredWatcher(IChangeWatcher inner, SemaphoreSlim entered)
        {
            _inner = inner;
            _entered = entered;
            // Opens its connection now, so that later waits set their deadline before their first await.
            _ = _inner.WaitAsync(TimeSpan.Zero, CancellationToken.None).GetAwaiter().GetResult();
        }

        public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            var waiting = _inner.WaitAsync(timeout, cancellationToken);
            _entered.Release();
            return waiting;
        }

        public ValueTask DisposeAsync() => _inner.DisposeAsync();
    }
}
