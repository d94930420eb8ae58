using HeavyJobs.Core.Model;
using HeavyJobs.Runtime.Protocol;
using HeavyJobs.Storage.Changes;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Runtime.Monitor;

/// <summary>
/// One store watcher per machine: when the store changes, it wakes the monitor's loop; when it changes, and every
/// <see cref="MonitorOptions.IdleProbeInterval"/> without a change (work that comes due by time alone writes
/// nothing), it asks the store which idle workers' types have work ready and wakes only those, over their pipes.
/// That question takes its turn with the workers' store calls on <paramref name="gate"/>, so that the loop, the
/// gate and the LISTEN session are all the connections a machine holds.
/// </summary>
internal sealed partial class IdleWaker(MonitorContext m, TurnGate gate)
{
    /// <summary>A watcher someone else owns (the machine name's session); null: the waker opens its own.</summary>
    public IChangeWatcher? Shared { get; set; }

    /// <summary>Set when the store changed since the loop last re-read targets and commands.</summary>
    public bool StoreChanged { get; set; } = true;

    public async Task WatchAsync(CancellationToken ct)
    {
        var watcher = Shared ?? m.Store.CreateChangeWatcher();
        await using var owned = Shared is null ? watcher : null;
        // A change seen while the store could not be asked what it made ready is still owed to the idle workers:
        // the next pass looks at once instead of sleeping until the next change or probe.
        var owed = false;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (await watcher.WaitAsync(owed ? TimeSpan.Zero : m.Options.IdleProbeInterval, ct))
                {
                    StoreChanged = true;
                    m.Signal.Release();
                }

                owed = true;
                var idle = m.Live().Where(w => w.State == WorkerState.Idle && w.EndingReason is null).ToList();
                if (idle.Count > 0)
                {
                    IReadOnlyList<string> ready;
                    await gate.WaitAsync(ct);
                    try
                    {
                        ready = await m.Store.ChunkReadyTypesAsync(idle.Select(w => w.Type).Distinct().ToList(), m.Time.GetUtcNow(), ct);
                    }
                    finally
                    {
                        gate.Release();
                    }

                    foreach (var w in idle.Where(w => ready.Contains(w.Type)))
                    {
                        w.Send(new WakeMessage());
                    }
                }

                owed = false;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogWatchFailed(m.Logger, ex);
                StoreChanged = true;
                await Task.Delay(TimeSpan.FromSeconds(1), m.Time, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    [LoggerMessage(2005, LogLevel.Warning, "Store watch failed; retrying")]
    private static partial void LogWatchFailed(ILogger logger, Exception ex);
}
