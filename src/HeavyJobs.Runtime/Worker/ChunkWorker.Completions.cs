using System.Text.Json;
using HeavyJobs.Core.Handlers;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Throughput;

namespace HeavyJobs.Runtime.Worker;

/// <summary>A worker's batched completions: committed together, and what was claimed ahead given back.</summary>
public sealed partial class ChunkWorker
{
    private async Task FlushCompletionsAsync(CancellationToken cancellationToken)
    {
        var (committed, refused) = await _completions.FlushAsync(cancellationToken);
        NoteFlushed(committed, refused);
    }

    private void NoteFlushed(IReadOnlyList<PendingCompletion> committed, IReadOnlyList<PendingCompletion> refused)
    {
        if (committed.Count > 0)
        {
            Interlocked.Add(ref _checkpoints, committed.Count);
            var now = _time.GetUtcNow();
            foreach (var group in committed.GroupBy(c => (c.Type, c.Completion.Stage)))
            {
                var delta = group.Aggregate(ChunkCounters.Zero, (sum, c) => sum + c.Delta);
                if (!delta.IsZero)
                {
                    _host.Record(new ThroughputSample(now, WorkerId, group.Key.Type, group.Key.Stage, delta.Done, delta.Good, delta.Bad));
                }
            }

            LogCompletedBatch(committed.Count);
        }

        foreach (var stale in refused)
        {
            LogLeaseLost(stale.Completion.ChunkId);
        }
    }

    private async Task TryFlushCompletionsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await FlushCompletionsAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            // They stay buffered (or, at the hard stop, are lost with their leases): the chunks run again.
            LogFlushFailed(ex, _completions.Count);
        }
    }

    /// <summary>Chunks claimed ahead but never started go back at once, not when their lease runs out.</summary>
    private async Task ReleaseQueuedAsync(CancellationToken cancellationToken)
    {
        while (_queued.TryDequeue(out var chunk))
        {
            try
            {
                await _store.ChunkReleaseAsync(new ChunkReleaseParams(chunk.Id, chunk.Epoch, _time.GetUtcNow()), cancellationToken);
            }
            catch (Exception ex)
            {
                LogFlushFailed(ex, _queued.Count + 1);
                _queued.Clear();
            }
        }
    }
}
