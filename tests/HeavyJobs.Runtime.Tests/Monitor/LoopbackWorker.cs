using System.Diagnostics;
using HeavyJobs.Core.Model;
using HeavyJobs.Runtime.Monitor;
using HeavyJobs.Runtime.Protocol;

namespace HeavyJobs.Runtime.Tests.Monitor;

/// <summary>
/// A real process (`cat` in a process group of its own) as the monitor sees a worker: whatever the test says
/// to it comes back on its stdout, so a heartbeat sent to it is read by the monitor's own reader, and whatever the
/// monitor sends it (a wake) comes back to the test.
/// </summary>
internal sealed class LoopbackWorker : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TimeProvider _time;
    private readonly Task _reader;
    private int _heard;

    private LoopbackWorker(Process process, TimeProvider time, string type)
    {
        _process = process;
        _time = time;
        Worker = new WorkerProcess(1, type, process, time, 40, 0, null);
        _reader = Worker.ReadOutputAsync((_, kind, _) =>
        {
            if (kind == "wake")
            {
                Woken.TrySetResult();
            }
            else if (kind == "noop")
            {
                Interlocked.Increment(ref _heard);
            }

            return Task.CompletedTask;
        });
    }

    public WorkerProcess Worker { get; }

    public TaskCompletionSource Woken { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static LoopbackWorker Start(TimeProvider time, string type) =>
        new(Process.Start(ProcessGroup.InNewGroup(["cat"]))!, time, type);

    /// <summary>Sends a heartbeat (holding chunk 7, or none) and waits until the monitor's reader has taken it in at the current (fake) time.</summary>
    public async Task HeartbeatAsync(string state, long items, CancellationToken ct, bool holding = true)
    {
        var now = _time.GetTimestamp();
        var seen = _heard;
        Worker.Send(new HeartbeatMessage(state, holding ? [7L] : [], items, 0, 0, items, []));
        // A no-op echoed back marks the end of the heartbeat: the reader handles lines in order.
        Worker.Send(new NoopMessage());
        Assert.True(await MonitorRun.UntilAsync(() => Task.FromResult(Volatile.Read(ref _heard) > seen), TimeSpan.FromSeconds(30), ct), "the heartbeat came back");
        Assert.Equal((now, WorkerStates.Parse(state)), (Worker.LastHeartbeatTs, Worker.State));
    }

    public async ValueTask DisposeAsync()
    {
        Worker.Kill();
        await _process.WaitForExitAsync();
        await _reader;
        _process.Dispose();
    }
}
