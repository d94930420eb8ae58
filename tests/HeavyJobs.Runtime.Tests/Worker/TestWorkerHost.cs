using System.Threading.Channels;
using HeavyJobs.Runtime.Worker;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Throughput;
using HeavyJobs.Storage.Workers;

namespace HeavyJobs.Runtime.Tests.Worker;

/// <summary>A worker host the test drives: the test decides when the worker is woken, and hears each time it goes to sleep.</summary>
internal sealed class TestWorkerHost(IHeavyStore store, TimeProvider time) : IWorkerHost
{
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Channel<int> _sleeping = Channel.CreateUnbounded<int>();
    private readonly Channel<(DateTimeOffset At, WorkerStatus Status)> _heartbeats = Channel.CreateUnbounded<(DateTimeOffset, WorkerStatus)>();
    private int _waits;

    public List<ThroughputSample> Samples { get; } = [];

    public List<WorkerStatus> Reports { get; } = [];

    /// <summary>The chunks the worker last said it runs (<see cref="IWorkerHost.Running"/>).</summary>
    public IReadOnlyCollection<long> LastRunning { get; private set; } = [];

    public int Waits => Volatile.Read(ref _waits);

    public string? StopReason { get; private set; }

    public Task<long> StartAsync(IReadOnlyList<string> types, CancellationToken cancellationToken) =>
        store.WorkerRegisterAsync(new WorkerRegisterParams("test", Environment.ProcessId, types, "test", 0, time.GetUtcNow()), cancellationToken);

    public async Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        _sleeping.Writer.TryWrite(Interlocked.Increment(ref _waits));
        await _wake.WaitAsync(timeout, time, cancellationToken);
    }

    /// <summary>Completes when the worker has gone idle or to sleep (again); callers re-check what they wait for.</summary>
    public async Task AsleepAsync(CancellationToken cancellationToken) => await _sleeping.Reader.ReadAsync(cancellationToken);

    public void Wake() => _wake.Release();

    public void Report(WorkerStatus status)
    {
        lock (Reports)
        {
            Reports.Add(status);
        }

        if (status.State == HeavyJobs.Core.Model.WorkerState.Idle)
        {
            _sleeping.Writer.TryWrite(0);
        }
    }

    public void Running(IReadOnlyCollection<long> chunks) => LastRunning = chunks;

    public void Record(ThroughputSample sample)
    {
        lock (Samples)
        {
            Samples.Add(sample);
        }
    }

    public TimeSpan? StopGrace => null;

    public Task<IReadOnlyCollection<long>> HeartbeatAsync(WorkerStatus status, CancellationToken cancellationToken)
    {
        _heartbeats.Writer.TryWrite((time.GetUtcNow(), status));
        return Task.FromResult<IReadOnlyCollection<long>>([]);
    }

    /// <summary>The next heartbeat the worker sent, with the (fake) time it was sent at.</summary>
    public ValueTask<(DateTimeOffset At, WorkerStatus Status)> NextHeartbeatAsync(CancellationToken cancellationToken) =>
        _heartbeats.Reader.ReadAsync(cancellationToken);

    public bool TryTakeHeartbeat(out (DateTimeOffset At, WorkerStatus Status) heartbeat) => _heartbeats.Reader.TryRead(out heartbeat);

    public Task StopAsync(string reason, CancellationToken cancellationToken)
    {
        StopReason = reason;
        return Task.CompletedTask;
    }
}

internal static class SemaphoreExtensions
{
    public static async Task WaitAsync(this SemaphoreSlim semaphore, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(timeout, time, cts.Token);
        var wait = semaphore.WaitAsync(cts.Token);
        await Task.WhenAny(delay, wait);
        await cts.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }
}
