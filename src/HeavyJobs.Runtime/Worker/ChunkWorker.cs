using System.Collections.Concurrent;
using System.Text.Json;
using HeavyJobs.Core.Handlers;
using HeavyJobs.Core.Model;
using HeavyJobs.Core.Retry;
using HeavyJobs.Runtime.Worker.StoreAccess;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Throughput;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Runtime.Worker;

/// <summary>
/// Claims chunks of its types, runs their handlers, and commits what they checkpoint. With no work it sleeps
/// until its host wakes it. On stop it takes no new work, lets running handlers checkpoint within the grace
/// period, and gives their chunks back at their last checkpoint.
/// When handlers are quick it works in batches: a claim takes as many chunks as its slots can run within
/// <see cref="WorkerOptions.PrefetchWindow"/> (they wait in a local queue), and finished chunks' completions
/// are committed together before the next claim, so a commit serves hundreds of chunks instead of one.
/// </summary>
public sealed partial class ChunkWorker
{
    private readonly IWorkerStoreCalls _store;
    private readonly HandlerRegistry _registry;
    private readonly IWorkerHost _host;
    private readonly WorkerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<long, RunningChunk> _running = new();
    private readonly Lock _runningReport = new();
    private readonly ConcurrentDictionary<long, JsonElement> _jobParameters = new();
    private readonly Random _random = new();
    private readonly ConcurrentQueue<ClaimedChunk> _queued = new();
    private readonly List<Task> _slots = [];
    private readonly CompletionBuffer _completions;
    private readonly ConcurrentDictionary<string, ILogger> _handlerLoggers = new();
    private readonly Action<ChunkCounters> _added;
    private readonly Action<ClaimedChunk, ChunkCounters> _committed;
    private double _averageRunSeconds = double.NaN;
    private long _items;
    private long _good;
    private long _bad;
    private long _checkpoints;
    private WorkerState _state = WorkerState.Starting;
    private PeriodicTimer? _heartbeatTimer;

    public ChunkWorker(IHeavyStore store, HandlerRegistry registry, IWorkerHost host, WorkerOptions options, TimeProvider time, ILoggerFactory loggers)
        : this(new DirectStoreCalls(store), registry, host, options, time, loggers)
    {
    }

    /// <param name="store">The store calls it makes: on a store of its own, or carried to its monitor over its pipe.</param>
    public ChunkWorker(IWorkerStoreCalls store, HandlerRegistry registry, IWorkerHost host, WorkerOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        _store = store;
        _registry = registry;
        _host = host;
        _options = options;
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger("HeavyJobs.Worker");
        _completions = new CompletionBuffer(store, time);
        // Made once, not per chunk: a worker runs up to hundreds of thousands of chunks a second.
        _added = d =>
        {
            Interlocked.Add(ref _items, d.Done);
            Interlocked.Add(ref _good, d.Good);
            Interlocked.Add(ref _bad, d.Bad);
        };
        _committed = (chunk, d) =>
        {
            Interlocked.Increment(ref _checkpoints);
            if (!d.IsZero)
            {
                _host.Record(new ThroughputSample(_time.GetUtcNow(), WorkerId, chunk.Type, chunk.Stage, d.Done, d.Good, d.Bad));
            }
        };
    }

    public long WorkerId { get; private set; }

    public WorkerStatus Status =>
        new(_state, _running.Keys.Order().ToList(), Interlocked.Read(ref _items), Interlocked.Read(ref _good), Interlocked.Read(ref _bad), Interlocked.Read(ref _checkpoints));

    public async Task RunAsync(CancellationToken stopping)
    {
        var types = _options.Types.Count > 0 ? _options.Types : _registry.Types.ToList();
        foreach (var type in types)
        {
            _registry.Get(type);
        }

        WorkerId = await _host.StartAsync(types, stopping);
        LogStarted(WorkerId, string.Join(",", types), _options.Concurrency);
        using var hardStop = new CancellationTokenSource();
        using var heartbeatStop = new CancellationTokenSource();
        // A claim (and the completions going with it) is not abandoned at the stop: over a pipe the store may have
        // answered already, and chunks dropped here would stay held until this process is gone. What it takes goes
        // back with the queue; only a claim still unanswered after the grace is given up.
        using var claimStop = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        using var onStop = stopping.Register(() => claimStop.CancelAfter(_host.StopGrace ?? _options.StopGrace));
        var heartbeat = HeartbeatLoopAsync(heartbeatStop.Token);
        Task? wake = null;
        var storeFailures = 0;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                _slots.RemoveAll(t => t.IsCompleted);
                var free = _options.Concurrency - _slots.Count;
                var claimed = 0;
                if (free > 0 && _queued.IsEmpty)
                {
                    IReadOnlyList<ClaimedChunk> chunks;
                    try
                    {
                        // Finished chunks are committed and more are taken in one transaction.
                        var max = Math.Min(free + Prefetch(), Math.Max(free, _options.MaxClaim));
                        var (committed, refused, taken) = await _completions.FlushAndClaimAsync(
                            new ChunkClaimParams(WorkerId, types, max, _time.GetUtcNow(), _options.Lease),
                            claimStop.Token);
                        NoteFlushed(committed, refused);
                        chunks = taken;
                        storeFailures = 0;
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // The database went away: wait and try again; running chunks carry on meanwhile.
                        storeFailures++;
                        LogClaimFailed(ex, storeFailures);
                        await Task.Delay(RetryBackoff.Compute(Math.Min(storeFailures, 5), _random, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(15)), _time, stopping);
                        continue;
                    }

                    foreach (var chunk in chunks)
                    {
                        _queued.Enqueue(chunk);
                    }

                    // Busy before a handler starts: a handler's first checkpoint must not be seen before its worker's busy report.
                    if (chunks.Count > 0)
                    {
                        SetState(WorkerState.Busy);
                    }

                    for (var i = 0; i < Math.Min(free, chunks.Count); i++)
                    {
                        _slots.Add(Task.Run(() => SlotAsync(stopping, hardStop.Token), CancellationToken.None));
                    }

                    claimed = chunks.Count;
                }
                else if (_completions.Count >= _options.CompletionBatch || _completions.OldestAge >= _options.CompletionFlushInterval)
                {
                    await TryFlushCompletionsAsync(stopping);
                }

                SetState(_slots.Count == 0 ? WorkerState.Idle : WorkerState.Busy);
                if (_slots.Count >= _options.Concurrency || !_queued.IsEmpty)
                {
                    // Every slot is busy, or the slots still have claimed chunks to run: nothing to claim until
                    // one frees up. Completions do not wait longer than their flush interval for that.
                    await Task.WhenAny(_completions.Count > 0 ? _slots.Append(Task.Delay(_options.CompletionFlushInterval, _time, stopping)) : _slots.Append(_completions.WhenNotEmpty()));
                    continue;
                }

                if (claimed > 0)
                {
                    continue;
                }

                // Free slots and no work: sleep until woken, or until a running chunk finishes.
                wake ??= _host.WaitForWorkAsync(_options.IdleFallbackPoll, stopping);
                if (await Task.WhenAny(_slots.Append(wake)) == wake)
                {
                    await wake;
                    wake = null;
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            SetState(WorkerState.Stopping);
            await DrainAsync(hardStop);
            await TryFlushCompletionsAsync(hardStop.Token);
            await ReleaseQueuedAsync(hardStop.Token);
            await heartbeatStop.CancelAsync();
            await heartbeat;
            await _host.StopAsync(stopping.IsCancellationRequested ? "stopped" : "exited", CancellationToken.None);
            LogStopped(WorkerId);
        }
    }

    /// <summary>
    /// One slot: runs claimed chunks one after another until none is left. Quick handlers run back to back on
    /// one thread, with no hop through the worker's main loop between them.
    /// </summary>
    private async Task SlotAsync(CancellationToken stopping, CancellationToken hardStop)
    {
        while (!stopping.IsCancellationRequested && _queued.TryDequeue(out var chunk))
        {
            var running = new RunningChunk(chunk, CancellationTokenSource.CreateLinkedTokenSource(stopping));
            ReportRunning(running);
            await RunChunkAsync(running, hardStop);
        }

        // Its last chunk is finished: a death from now on is none of that chunk's doing.
        ReportRunning(null);
    }

    /// <summary>
    /// Tells the host which chunks run now, <paramref name="starting"/> among them, before its handler starts. A
    /// chunk joins the set and the set is reported under one lock, so every report includes every chunk started
    /// before it and not yet finished: the last report a dead worker made covers every handler it was running.
    /// </summary>
    private void ReportRunning(RunningChunk? starting)
    {
        lock (_runningReport)
        {
            if (starting is not null)
            {
                _running[starting.Chunk.Id] = starting;
            }

            _host.Running([.. _running.Keys]);
        }
    }

    private async Task RunChunkAsync(RunningChunk running, CancellationToken hardStop)
    {
        var chunk = running.Chunk;
        try
        {
            var parameters = await JobParametersAsync(chunk.JobId, hardStop);
            var registration = _registry.Get(chunk.Type);
            using var context = new ChunkContext(
                _store,
                chunk,
                parameters,
                _handlerLoggers.GetOrAdd(chunk.Type, (type, loggers) => loggers.CreateLogger($"HeavyJobs.Handler.{type}"), _loggers),
                _time,
                _options.Lease,
                _added,
                _committed,
                hardStop,
                _options.WriteBehindUnder,
                _options.KeptCheckpoints);
            try
            {
                var started = _time.GetTimestamp();
                bool stopped;
                try
                {
                    await registration.Factory().RunAsync(context, running.Cancellation.Token);
                    // Read as it returns: a stop that comes while the run settles does not undo a finished run.
                    stopped = running.Cancellation.IsCancellationRequested || context.Yielded;
                    if (stopped)
                    {
                        // It returned because it was told to stop: it is where its last checkpoint says. The work
                        // since has no cursor to go with and is done again on resume, so none of it is committed.
                        await context.StopAsync();
                    }
                    else
                    {
                        await context.SettleAsync();
                    }
                }
                catch
                {
                    // Whatever ends the run, its checkpoints held and in flight land (or are refused) before the
                    // chunk is failed or given back.
                    await context.DrainQuietlyAsync();
                    throw;
                }

                if (stopped)
                {
                    throw running.Cancellation.IsCancellationRequested
                        ? new OperationCanceledException(running.Cancellation.Token)
                        : new ChunkYieldedException(chunk.Id);
                }

                NoteRunTime(_time.GetElapsedTime(started));
                if (context.TryTakeCompletion(out var completion))
                {
                    // Committed with the next batch; until then this worker still holds the chunk.
                    _completions.Add(completion);
                }
                else
                {
                    await context.CommitAsync(context.Cursor, complete: true);
                    LogCompleted(chunk.Id, context.Counters.Done);
                }
            }
            catch (OperationCanceledException ex) when (ex is not LeaseLostException
                && (ex is ChunkYieldedException || running.Cancellation.IsCancellationRequested))
            {
                var released = await _store.ChunkReleaseAsync(new ChunkReleaseParams(chunk.Id, chunk.Epoch, _time.GetUtcNow()), hardStop);
                LogReleased(chunk.Id, context.Cursor ?? "(start)", released);
            }
        }
        catch (LeaseLostException)
        {
            LogLeaseLost(chunk.Id);
        }
        catch (Exception ex) when (!hardStop.IsCancellationRequested)
        {
            var now = _time.GetUtcNow();
            var retryAt = now + RetryBackoff.Compute(chunk.Attempts + 1, _random);
            var error = $"{ex.GetType().Name}: {ex.Message}";
            try
            {
                var outcome = await _store.ChunkFailAsync(new ChunkFailParams(chunk.Id, chunk.Epoch, WorkerId, error, retryAt, now), hardStop);
                LogFailed(ex, chunk.Id, chunk.Attempts + 1, outcome.State.ToDb());
            }
            catch (Exception storeError)
            {
                // The store is unreachable: the lease will run out and the chunk will be reclaimed with its last checkpoint.
                LogFailReportFailed(storeError, chunk.Id);
            }
        }
        catch (Exception ex)
        {
            LogAbandoned(ex, chunk.Id);
        }
        finally
        {
            _running.TryRemove(chunk.Id, out _);
            running.Cancellation.Dispose();
        }
    }

    /// <summary>How many chunks beyond the free slots a claim takes: what the slots run within the prefetch window.</summary>
    private int Prefetch()
    {
        var average = Volatile.Read(ref _averageRunSeconds);
        if (double.IsNaN(average) || _options.PrefetchWindow <= TimeSpan.Zero)
        {
            // Nothing known yet about this worker's handlers: take only what the slots can start.
            return 0;
        }

        var perSlot = _options.PrefetchWindow.TotalSeconds / Math.Max(average, 1e-7);
        return (int)Math.Min(perSlot * _options.Concurrency, _options.MaxClaim);
    }

    private void NoteRunTime(TimeSpan elapsed)
    {
        // A slow chunk counts at once (take less ahead); quick ones pull the average down over a few chunks, so
        // the first run's start-up cost is soon forgotten. A lost update between slots only slows it down.
        var seconds = elapsed.TotalSeconds;
        var average = Volatile.Read(ref _averageRunSeconds);
        Volatile.Write(ref _averageRunSeconds, double.IsNaN(average) || seconds > average ? seconds : average + ((seconds - average) / 4));
    }

    private sealed class RunningChunk(ClaimedChunk chunk, CancellationTokenSource cancellation)
    {
        public ClaimedChunk Chunk { get; } = chunk;

        public CancellationTokenSource Cancellation { get; } = cancellation;
    }

    [LoggerMessage(1001, LogLevel.Information, "Worker {WorkerId} started for types {Types} with {Concurrency} slot(s)")]
    private partial void LogStarted(long workerId, string types, int concurrency);

    [LoggerMessage(1002, LogLevel.Information, "Worker {WorkerId} stopped")]
    private partial void LogStopped(long workerId);

    [LoggerMessage(1003, LogLevel.Debug, "Chunk {ChunkId} completed with {Items} items")]
    private partial void LogCompleted(long chunkId, long items);

    [LoggerMessage(1004, LogLevel.Information, "Chunk {ChunkId} given back at cursor {Cursor} (released: {Released})")]
    private partial void LogReleased(long chunkId, string cursor, bool released);

    [LoggerMessage(1005, LogLevel.Warning, "Chunk {ChunkId} is no longer held by this worker; its work since the last checkpoint is dropped")]
    private partial void LogLeaseLost(long chunkId);

    [LoggerMessage(1006, LogLevel.Warning, "Chunk {ChunkId} failed on attempt {Attempt}; it is now {State}")]
    private partial void LogFailed(Exception ex, long chunkId, int attempt, string state);

    [LoggerMessage(1007, LogLevel.Error, "Chunk {ChunkId} failed and the failure could not be recorded; its lease will expire")]
    private partial void LogFailReportFailed(Exception ex, long chunkId);

    [LoggerMessage(1008, LogLevel.Warning, "Chunk {ChunkId} abandoned at the hard stop")]
    private partial void LogAbandoned(Exception ex, long chunkId);

    [LoggerMessage(1010, LogLevel.Warning, "Claim failed ({Failures} in a row); retrying after a back-off")]
    private partial void LogClaimFailed(Exception ex, int failures);

    [LoggerMessage(1011, LogLevel.Debug, "Committed the completion of {Count} chunk(s) in one transaction")]
    private partial void LogCompletedBatch(int count);

    [LoggerMessage(1012, LogLevel.Warning, "Could not commit or release {Count} chunk(s); they run again once their lease is returned")]
    private partial void LogFlushFailed(Exception ex, int count);

    [LoggerMessage(1009, LogLevel.Warning, "Heartbeat failed; retrying on the next tick")]
    private partial void LogHeartbeatFailed(Exception ex);
}
