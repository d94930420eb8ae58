using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Changes;
using HeavyJobs.Storage.Fleet;
using HeavyJobs.Storage.Nodes;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Runtime.Monitor;

/// <summary>
/// The machine in the fleet: the monitor takes the machine name's lock (one monitor per name), joins the
/// machine's row (saying when it rebooted or comes back from the dead), then beats the row every
/// <see cref="MonitorOptions.MachineHeartbeat"/> on a loop of its own, so a busy monitor loop never delays the
/// beat that keeps its machine alive in the fleet. The beat also carries the drain flag back. The name's lock
/// lives on the session that listens for changes (<see cref="Changes"/>), so it costs no connection of its own.
/// </summary>
internal sealed partial class MachineBeat(MonitorContext m, TurnGate gate)
{
    private ILockingChangeWatcher? _name;

    /// <summary>The machine is drained: converge to no workers.</summary>
    public bool Drained { get; private set; }

    /// <summary>The store lock that holds a machine's name for its one monitor (see <see cref="Manager.MachineWatchDuty"/> too).</summary>
    public static string NameLock(string node) => "node:" + node;

    /// <summary>The store's wake-ups, on the session that holds the machine's name; null before the name is taken.</summary>
    public IChangeWatcher? Changes => _name;

    /// <summary>Takes the machine's name, or throws <see cref="MachineNameTakenException"/> saying who holds it.</summary>
    public async Task TakeNameAsync(CancellationToken ct)
    {
        _name = await m.Store.TryLockWatchingAsync(NameLock(m.Options.Node), ct);
        if (_name is null)
        {
            throw new MachineNameTakenException($"machine name '{m.Options.Node}' is taken: {await HolderAsync(ct)} holds it. Give this monitor another name (--node), or stop that one first.");
        }
    }

    private async Task<string> HolderAsync(CancellationToken ct)
    {
        var row = (await m.Store.NodeListAsync(ct)).FirstOrDefault(n => n.Name == m.Options.Node);
        return row is null
            ? "another monitor"
            : $"monitor pid {row.Pid} on host {row.Host} (boot {row.BootId}), last heartbeat {(m.Time.GetUtcNow() - row.HeartbeatAt).TotalSeconds:0.0} s ago";
    }

    /// <summary>Joins the machine's row; logs a reboot (new boot id) or a return from the dead.</summary>
    public async Task JoinAsync(CancellationToken ct)
    {
        var joined = await m.Store.NodeJoinAsync(
            new NodeJoinParams(m.Options.Node, m.BootId, m.Options.Version, Environment.ProcessorCount, Environment.ProcessId, Environment.MachineName, m.Options.MachineHeartbeat, m.Time.GetUtcNow()),
            ct);
        Drained = joined.Drained;
        if (joined.PreviousBootId is { } previous && previous != m.BootId)
        {
            await m.ActAsync(ActionKinds.MachineRebooted, $"machine {m.Options.Node} came back with a new boot id ({previous} → {m.BootId}): its old workers are gone, their chunks are freed now", ct);
        }

        if (joined.WasDead)
        {
            await m.ActAsync(ActionKinds.MachineRejoined, $"machine {m.Options.Node} rejoined the fleet (monitor pid {Environment.ProcessId})", ct);
        }
    }

    public async Task BeatAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(m.Options.MachineHeartbeat, m.Time);
        while (await timer.WaitForNextTickAsync(ct))
        {
            if (_name is { Held: false })
            {
                // The name's session dropped and another monitor took the name before this one got back: two
                // monitors must never run one machine's workers, so this one stops.
                m.Signal.Release();
                throw new MachineNameTakenException($"machine name '{m.Options.Node}' was lost while the database connection was down and is now held by {await HolderAsync(ct)}: this monitor stops.");
            }

            try
            {
                // The beat takes its turn with the workers' store calls, so it opens no session of its own, but
                // ahead of them: queued behind a flood of fetchers' calls it would come too late.
                NodeBeat beat;
                await gate.WaitAsync(ct, urgent: true);
                try
                {
                    beat = await m.Store.NodeBeatAsync(new NodeBeatParams(m.Options.Node, m.BootId, m.Time.GetUtcNow()), ct);
                }
                finally
                {
                    gate.Release();
                }

                if (beat.WasDead)
                {
                    // The fleet gave up on this machine while it lived (frozen, or cut off): its chunks went elsewhere
                    // and their epochs moved on, so whatever its workers still send about them is refused.
                    await m.ActAsync(ActionKinds.MachineRejoined, $"machine {m.Options.Node} beat again after it was declared dead; it takes work again", ct);
                }

                if (beat.Drained != Drained)
                {
                    Drained = beat.Drained;
                    m.Signal.Release();
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogBeatFailed(m.Logger, ex);
            }
        }
    }

    public async ValueTask ReleaseNameAsync()
    {
        if (_name is not null)
        {
            await _name.DisposeAsync();
        }
    }

    [LoggerMessage(2010, LogLevel.Warning, "Machine heartbeat failed; retrying at the next beat")]
    private static partial void LogBeatFailed(ILogger logger, Exception ex);
}
