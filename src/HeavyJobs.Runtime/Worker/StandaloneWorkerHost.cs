using HeavyJobs.Core.Model;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Changes;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Throughput;
using HeavyJobs.Storage.Workers;

namespace HeavyJobs.Runtime.Worker;

/// <summary>
/// A worker run by hand in the foreground: it registers itself, heartbeats its own leases and row, and wakes
/// on the store's change watcher.
/// </summary>
public sealed class StandaloneWorkerHost(IHeavyStore store, string node, string version, TimeSpan lease, TimeProvider time) : IWorkerHost, IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly List<ThroughputSample> _samples = [];
    private IChangeWatcher? _watcher;
    private WorkerStatus? _status;
    private long _workerId;
    private long _lastItems;
    private long _lastItemsAt;

    public async Task<long> StartAsync(IReadOnlyList<string> types, CancellationToken cancellationToken)
    {
        _workerId = await store.WorkerRegisterAsync(new WorkerRegisterParams(node, Environment.ProcessId, types, version, 0, time.GetUtcNow()), cancellationToken);
        _lastItemsAt = time.GetTimestamp();
        await store.ActionInsertAsync(
            new ActionInsertParams("worker", ActionKinds.Start, $"foreground worker pid {Environment.ProcessId}", time.GetUtcNow(), node, _workerId),
            cancellationToken);
        return _workerId;
    }

    public async Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        _watcher ??= store.CreateChangeWatcher();
        await _watcher.WaitAsync(timeout, cancellationToken);
    }

    public void Report(WorkerStatus status)
    {
        lock (_lock)
        {
            _status = status;
        }
    }

    /// <summary>
    /// No monitor watches this process: if it dies, its leases run out and every chunk it held counts a death,
    /// started or not (docs/guarantees.md, section 4).
    /// </summary>
    public void Running(IReadOnlyCollection<long> chunks)
    {
    }

    public void Record(ThroughputSample sample)
    {
        lock (_lock)
        {
            _samples.Add(sample);
        }
    }

    public TimeSpan? StopGrace => null;

    public async Task<IReadOnlyCollection<long>> HeartbeatAsync(WorkerStatus status, CancellationToken cancellationToken)
    {
        Report(status);
        var running = status.Chunks;
        var now = time.GetUtcNow();
        var held = await store.ChunkLeaseExtendAsync(new ChunkLeaseExtendParams([_workerId], now, lease), cancellationToken);
        await FlushAsync(null, cancellationToken);
        return running.Except(held.Select(h => h.ChunkId)).ToList();
    }

    public async Task StopAsync(string reason, CancellationToken cancellationToken)
    {
        await FlushAsync(reason, cancellationToken);
        await store.ActionInsertAsync(new ActionInsertParams("worker", ActionKinds.Exit, reason, time.GetUtcNow(), node, _workerId), cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_watcher is not null)
        {
            await _watcher.DisposeAsync();
        }
    }

    private async Task FlushAsync(string? exitReason, CancellationToken cancellationToken)
    {
        List<ThroughputSample> samples;
        WorkerStatus? status;
        lock (_lock)
        {
            samples = [.. _samples];
            _samples.Clear();
            status = _status;
        }

        await store.ThroughputAddAsync(new ThroughputAddParams(samples), cancellationToken);
        if (status is null)
        {
            return;
        }

        var nowTs = time.GetTimestamp();
        var seconds = time.GetElapsedTime(_lastItemsAt, nowTs).TotalSeconds;
        var rate = seconds > 0 ? (status.Items - _lastItems) / seconds : 0;
        _lastItems = status.Items;
        _lastItemsAt = nowTs;
        await store.WorkerUpdateManyAsync(
            new WorkerUpdateManyParams(
                [new WorkerUpdate(
                    _workerId,
                    exitReason is null ? status.State : WorkerState.Exited,
                    status.Chunks.Count > 0 ? status.Chunks[0] : null,
                    0,
                    Environment.WorkingSet,
                    rate,
                    ExitReason: exitReason)],
                time.GetUtcNow()),
            cancellationToken);
    }
}
