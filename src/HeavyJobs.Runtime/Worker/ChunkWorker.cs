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
