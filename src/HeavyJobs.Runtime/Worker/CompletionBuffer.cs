using HeavyJobs.Core.Model;
using HeavyJobs.Runtime.Worker.StoreAccess;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Chunks;

namespace HeavyJobs.Runtime.Worker;

/// <summary>A finished chunk whose completion waits for the worker's next batch.</summary>
/// <param name="Delta">The counters added since its last committed checkpoint, for the throughput buckets.</param>
internal sealed record PendingCompletion(ChunkCompletion Completion, string Type, ChunkCounters Delta);

/// <summary>
/// Finished chunks whose completions are committed together, in one transaction, instead of one each. Until
/// a flush commits them the worker still holds their leases: a worker that dies with completions buffered
/// loses only those, and their chunks run again. Each completion is fenced by its own epoch, so one that a
/// reset or reclaim made stale is refused and writes nothing.
/// </summary>
internal sealed class CompletionBuffer(IWorkerStoreCalls store, TimeProvider time)
{
    private readonly Lock _lock = new();
    private List<PendingCompletion> _pending = [];
    private long _oldest;
    private TaskCompletionSource _notEmpty = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>How long the oldest buffered completion has waited; zero when there is none.</summary>
    public TimeSpan OldestAge
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count == 0 ? TimeSpan.Zero : time.GetElapsedTime(_oldest);
            }
        }
    }

    public void Add(PendingCompletion completion)
    {
        TaskCompletionSource? woken = null;
        lock (_lock)
        {
            if (_pending.Count == 0)
            {
                _oldest = time.GetTimestamp();
                woken = _notEmpty;
                _notEmpty = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            _pending.Add(completion);
        }

        woken?.TrySetResult();
    }

    /// <summary>
    /// Completes when the buffer holds a completion: the worker's loop waits on it beside its busy slots, so a
    /// chunk finished in the middle of a slot's run of prefetched chunks is flushed within the interval, not
    /// when the slot runs dry.
    /// </summary>
    public Task WhenNotEmpty()
    {
        lock (_lock)
        {
            return _pending.Count > 0 ? Task.CompletedTask : _notEmpty.Task;
        }
    }

    /// <summary>
    /// Commits every buffered completion in one transaction. Returns those committed and those refused (no
    /// longer held). If the store fails, the completions stay buffered for the next flush and the error is thrown.
    /// </summary>
    public async Task<(IReadOnlyList<PendingCompletion> Committed, IReadOnlyList<PendingCompletion> Refused)> FlushAsync(CancellationToken cancellationToken)
    {
        var (committed, refused, _) = await CommitAsync(
            async (batch, ct) => (batch.Items.Count == 0 ? [] : await store.ChunkCompleteManyAsync(batch, ct), []),
            cancellationToken);
        return (committed, refused);
    }

    /// <summary>
    /// As <see cref="FlushAsync"/>, and takes <paramref name="claim"/> in the same transaction. If the store
    /// fails, nothing is claimed and the completions stay buffered.
    /// </summary>
    public Task<(IReadOnlyList<PendingCompletion> Committed, IReadOnlyList<PendingCompletion> Refused, IReadOnlyList<ClaimedChunk> Claimed)> FlushAndClaimAsync(
        ChunkClaimParams claim,
        CancellationToken cancellationToken) =>
        CommitAsync(
            async (batch, ct) =>
            {
                if (batch.Items.Count == 0)
                {
                    return ([], await store.ChunkClaimAsync(claim, ct));
                }

                var both = await store.ChunkCompleteAndClaimAsync(new ChunkCompleteAndClaimParams(batch, claim), ct);
                return (both.Completed, both.Claimed);
            },
            cancellationToken);

    private async Task<(IReadOnlyList<PendingCompletion> Committed, IReadOnlyList<PendingCompletion> Refused, IReadOnlyList<ClaimedChunk> Claimed)> CommitAsync(
        Func<ChunkCompleteManyParams, CancellationToken, Task<(IReadOnlyList<long> Completed, IReadOnlyList<ClaimedChunk> Claimed)>> write,
        CancellationToken cancellationToken)
    {
        List<PendingCompletion> batch;
        lock (_lock)
        {
            batch = _pending;
            _pending = [];
        }

        (IReadOnlyList<long> Completed, IReadOnlyList<ClaimedChunk> Claimed) written;
        try
        {
            written = await write(new ChunkCompleteManyParams(batch.Select(b => b.Completion).ToList(), time.GetUtcNow()), cancellationToken);
        }
        catch
        {
            lock (_lock)
            {
                batch.AddRange(_pending);
                _pending = batch;
                _oldest = time.GetTimestamp();
            }

            throw;
        }

        var ids = written.Completed.ToHashSet();
        return (batch.Where(b => ids.Contains(b.Completion.ChunkId)).ToList(), batch.Where(b => !ids.Contains(b.Completion.ChunkId)).ToList(), written.Claimed);
    }
}
