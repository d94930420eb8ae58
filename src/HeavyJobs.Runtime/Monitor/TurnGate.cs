namespace HeavyJobs.Runtime.Monitor;

/// <summary>
/// The turns on the monitor's store connections that its workers' calls take (at most
/// <see cref="MonitorOptions.WorkerStoreConnections"/> at once). A freed turn goes to an urgent waiter first: the
/// machine's heartbeat, which behind a flood of fetchers' calls would come late enough for a live machine to be
/// declared dead. Otherwise turns go in the order they were asked for.
/// </summary>
internal sealed class TurnGate(int turns)
{
    private readonly Lock _lock = new();
    private readonly Queue<TaskCompletionSource> _urgent = new();
    private readonly Queue<TaskCompletionSource> _others = new();
    private int _free = Math.Max(1, turns);

    /// <summary>Waits for a turn; each turn taken is given back with <see cref="Release"/>.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken, bool urgent = false)
    {
        cancellationToken.ThrowIfCancellationRequested();
        TaskCompletionSource waiter;
        lock (_lock)
        {
            if (_free > 0)
            {
                _free--;
                return;
            }

            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            (urgent ? _urgent : _others).Enqueue(waiter);
        }

        // A cancelled waiter stays queued until a release passes over it: its completion is already settled.
        await using (cancellationToken.Register(() => waiter.TrySetCanceled(cancellationToken)))
        {
            await waiter.Task;
        }
    }

    public void Release()
    {
        lock (_lock)
        {
            while (_urgent.TryDequeue(out var next) || _others.TryDequeue(out next))
            {
                if (next.TrySetResult())
                {
                    return;
                }
            }

            _free++;
        }
    }
}
