using HeavyJobs.Core.Handlers;
using HeavyJobs.Core.Model;
using HeavyJobs.Core.Retry;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Throughput;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Runtime.Worker;

/// <summary>A worker's slots: each runs claimed chunks' handlers one after another, and ends each chunk (done, failed, given back).</summary>
public sealed partial class ChunkWorker
{
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

    private sealed class RunningChunk(ClaimedChunk chunk, CancellationTokenSource cancellation)
    {
        public ClaimedChunk Chunk { get; } = chunk;

        public CancellationTokenSource Cancellation { get; } = cancellation;
    }
}
