using HeavyJobs.Core.Handlers;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Chunks;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Runtime.Worker;

/// <summary>How a chunk's checkpoints reach the store: written at once, or held and written behind the handler.</summary>
internal sealed partial class ChunkContext
{
    /// <summary>A write that has finished says now what it met; one still running is left to run.</summary>
    private async ValueTask ObserveFinishedWriteAsync()
    {
        Task? finished = null;
        lock (_writes)
        {
            if (_inflight is { IsCompleted: true })
            {
                finished = TakeWritesLocked();
            }
        }

        await (finished ?? Task.CompletedTask);
    }

    /// <summary>The chain of writes, for the caller to await; the context no longer holds it.</summary>
    private Task? TakeWritesLocked()
    {
        var writes = _inflight;
        _inflight = null;
        return writes;
    }

    private void WriteHeldFromTimer()
    {
        lock (_writes)
        {
            // A timer that fired as the run settled leaves the held checkpoint to the completion.
            if (_held is not null && !_settled)
            {
                WriteHeldLocked(_time.GetTimestamp());
            }
        }
    }

    /// <summary>
    /// Starts writing the held checkpoint after the writes before it. On the thread pool: a store may do its
    /// I/O before it returns a task at all (SQLite's driver is synchronous), and the handler must not wait.
    /// </summary>
    private void WriteHeldLocked(long now)
    {
        var checkpoint = _held!.Value;
        _held = null;
        _heldTimer?.Dispose();
        _heldTimer = null;
        _lastWrite = now;
        var before = _inflight;
        _inflight = Task.Run(
            async () =>
            {
                if (before is not null)
                {
                    // A write that failed fails the ones after it the same way: nothing more is written.
                    await before;
                }

                await WriteAsync(checkpoint);
            },
            CancellationToken.None);
    }

    private void StopHoldingLocked()
    {
        _settled = true;
        _heldTimer?.Dispose();
        _heldTimer = null;
    }

    /// <summary>Two checkpoints as one: the later cursor and counters, what both produced.</summary>
    private static (ChunkCheckpointParams Params, ChunkCounters Delta) Merge(
        (ChunkCheckpointParams Params, ChunkCounters Delta) earlier,
        (ChunkCheckpointParams Params, ChunkCounters Delta) later) =>
        (later.Params with
        {
            Outputs = [.. earlier.Params.Outputs, .. later.Params.Outputs],
            Emitted = [.. earlier.Params.Emitted, .. later.Params.Emitted],
            Fresh = [.. earlier.Params.Fresh ?? [], .. later.Params.Fresh ?? []],
        },
        earlier.Delta + later.Delta);

    private (ChunkCheckpointParams Params, ChunkCounters Delta) Take(string? cursor, bool complete)
    {
        var counters = _committedCounters + _pending;
        var p = new ChunkCheckpointParams(
            _chunk.Id,
            _chunk.JobId,
            _chunk.Stage,
            _chunk.Epoch,
            cursor,
            counters,
            (IReadOnlyList<ChunkOutput>?)_outputs ?? [],
            (IReadOnlyList<EmittedChunk>?)_emitted ?? [],
            complete,
            _time.GetUtcNow(),
            _lease,
            _fresh,
            _keptCheckpoints);
        var delta = _pending;
        _committedCounters = counters;
        _pending = ChunkCounters.Zero;
        _outputs = null;
        _emitted = null;
        _fresh = null;
        Cursor = cursor;
        return (p, delta);
    }

    private async Task WriteAsync((ChunkCheckpointParams Params, ChunkCounters Delta) checkpoint)
    {
        ThrowIfAWriteFailed();
        CheckpointOutcome outcome;
        try
        {
            outcome = await _store.ChunkCheckpointAsync(checkpoint.Params, _hardStop);
            if (outcome == CheckpointOutcome.LeaseLost)
            {
                throw new LeaseLostException(_chunk.Id);
            }
        }
        catch (Exception ex)
        {
            NoteFailedWrite(ex);
            throw;
        }

        _committed(_chunk, checkpoint.Delta);
        if (outcome == CheckpointOutcome.Yield && !checkpoint.Params.Complete)
        {
            NoteYield();
            throw new ChunkYieldedException(_chunk.Id);
        }
    }
}
