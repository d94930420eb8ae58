using HeavyJobs.Core.Handlers;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Workers;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Runtime.Monitor;

/// <summary>
/// One per machine. Keeps the desired number of workers of each type running and talks to them over their
/// pipes. Its duties, each in a file of its own: the process life of workers (<see cref="WorkerSupervisor"/>),
/// operators' commands (<see cref="MonitorCommands"/>), targets (<see cref="Convergence"/>), leases and rows
/// (<see cref="Heartbeats"/>), hung workers (<see cref="HangDetector"/>) and waking idle workers
/// (<see cref="IdleWaker"/>). This class is the loop that runs them on their cadences; the hang detector, the idle
/// waker and the machine's own beat look on loops of their own, so that a store that makes the loop wait cannot
/// hold them up. A worker's fault never ends it; every action it takes is in the action log.
/// </summary>
public sealed partial class HeavyMonitor
{
    /// <summary>Targets and commands are re-read at least this often even if no change is seen.</summary>
    private static readonly TimeSpan ConvergeFallback = TimeSpan.FromSeconds(30);

    /// <summary>How often the loop looks while workers start or stop, a restart waits or a kill is due.</summary>
    private static readonly TimeSpan BusyStep = TimeSpan.FromMilliseconds(500);

    private readonly MonitorContext _m;
    private readonly WorkerSupervisor _supervisor;
    private readonly MonitorCommands _commands;
    private readonly Convergence _convergence;
    private readonly Heartbeats _heartbeats;
    private readonly HangDetector _hangs;
    private readonly IdleWaker _waker;
    private readonly MachineBeat _machine;
    private readonly DeploySwitch _deploy;
    private long _lastConvergeTs;
    private long _lastHeartbeatTs;

    public HeavyMonitor(IMonitorStore store, HandlerRegistry registry, MonitorOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        _m = new MonitorContext(store, registry, options, time, loggers.CreateLogger("HeavyJobs.Monitor"));
        var proxy = new WorkerProxy(store, options, time);
        _supervisor = new WorkerSupervisor(_m, proxy);
        _deploy = new DeploySwitch(_m, _supervisor);
        _commands = new MonitorCommands(_m, _supervisor, _deploy);
        _convergence = new Convergence(_m, _supervisor);
        _heartbeats = new Heartbeats(_m);
        _hangs = new HangDetector(_m, _heartbeats);
        _waker = new IdleWaker(_m, proxy.Gate);
        _machine = new MachineBeat(_m, proxy.Gate);
        _convergence.Drained = () => _machine.Drained || _deploy.Pending is not null;
    }

    /// <summary>Live worker processes, for tests and the all-in-one's display.</summary>
    public IReadOnlyList<(long Id, string Type, int Pid)> Workers => _m.Live().Select(w => (w.Id, w.Type, w.Pid)).ToList();

    /// <summary>Set when a deploy pointed the install root at another version: the monitor ended for its unit to start that one.</summary>
    public string? SwitchedTo => _deploy.SwitchedTo;

    public async Task RunAsync(CancellationToken stopping)
    {
        _m.BootId = _m.Options.BootId is { Length: > 0 } given ? given : BootId.Read();
        // One monitor per machine name: a second one stops here, before it touches the machine's rows.
        await _machine.TakeNameAsync(stopping);
        _waker.Shared = _machine.Changes;
        using var runningFiles = _m.RunningFiles = new RunningFiles(RunningFiles.DefaultRoot);
        await _machine.JoinAsync(stopping);
        await RecoverAsync(stopping);
        await _m.ActAsync(ActionKinds.MonitorStart, $"monitor pid {Environment.ProcessId} started (boot {_m.BootId})", stopping);
        await _deploy.ConfirmStartedAsync(stopping);
        using var watcherStop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var watcher = _waker.WatchAsync(watcherStop.Token);
        var beat = _machine.BeatAsync(watcherStop.Token);
        var hangs = _hangs.WatchAsync(watcherStop.Token);
        try
        {
            while (!stopping.IsCancellationRequested && !beat.IsFaulted)
            {
                try
                {
                    await StepAsync(stopping);
                    if (await _deploy.SwitchIfDrainedAsync(stopping))
                    {
                        break;
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The store went away or a command was bad: log, wait a moment, carry on.
                    LogStepFailed(_m.Logger, ex);
                    await Task.Delay(TimeSpan.FromSeconds(1), _m.Time, stopping);
                }

                await _m.Signal.WaitAsync(NextStep(), stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            await watcherStop.CancelAsync();
            await watcher;
            await hangs;
            await beat.ContinueWith(_ => { }, TaskScheduler.Default);
            await _supervisor.ShutdownAsync();
            await _m.ActAsync(ActionKinds.MonitorStop, $"monitor pid {Environment.ProcessId} stopped", CancellationToken.None);
            await _machine.ReleaseNameAsync();
        }

        if (beat.IsFaulted)
        {
            // The machine's name was lost: the monitor ends as one that could not take it would.
            await beat;
        }
    }

    private async Task StepAsync(CancellationToken ct)
    {
        await _hangs.LogFoundAsync(ct);
        var reaped = await _supervisor.ReapAsync(ct);
        var now = _m.Time.GetTimestamp();
        // Reading targets and commands costs the database a query each: do it when something changed, when a
        // worker went away or a restart is due, and otherwise only now and then, so an idle machine stays quiet.
        if (_waker.StoreChanged || reaped > 0 || _m.Trackers.Any(t => t.NextStartTs > _lastConvergeTs && t.NextStartTs <= now)
            || _m.Time.GetElapsedTime(_lastConvergeTs, now) >= ConvergeFallback)
        {
            _waker.StoreChanged = false;
            _lastConvergeTs = now;
            await _commands.ApplyAsync(ct);
            await _convergence.ConvergeAsync(ct);
        }

        await _supervisor.KillOverdueAsync(ct);
        if (_heartbeats.Due(_lastHeartbeatTs, now))
        {
            _lastHeartbeatTs = now;
            await _heartbeats.BeatAsync(ct);
        }
    }

    /// <summary>
    /// Workers this node had before this monitor started are gone (their pipes closed with the old monitor): return
    /// their chunks now. Their end was the monitor's (a deploy, a restart), not their chunks', so none counts a death;
    /// the chunks they claimed ahead they give back themselves as they stop, unless this monitor came back before they did.
    /// </summary>
    private async Task RecoverAsync(CancellationToken ct)
    {
        foreach (var old in await _m.Store.WorkerListAsync(new WorkerListParams(_m.Options.Node), ct))
        {
            await _supervisor.ReclaimAsync(old.Id, $"worker {old.Id} outlived by its monitor (monitor restarted)", ct, running: []);
            await _m.Store.WorkerUpdateManyAsync(
                new WorkerUpdateManyParams([new WorkerUpdate(old.Id, WorkerState.Exited, null, 0, 0, 0, ExitReason: "monitor restarted")], _m.Time.GetUtcNow()),
                ct);
        }
    }

    /// <summary>
    /// How long the loop may sleep: until the next heartbeat or re-read is due, or half a second while something
    /// is in motion. Exits and store changes wake it sooner.
    /// </summary>
    private TimeSpan NextStep()
    {
        var now = _m.Time.GetTimestamp();
        if (_m.Live().Any(w => w.State == WorkerState.Starting || w.EndingReason is not null || w.KillAtTs is not null)
            || _m.Trackers.Any(t => t.NextStartTs > now))
        {
            return BusyStep;
        }

        var due = new[]
        {
            _heartbeats.Period() - _m.Time.GetElapsedTime(_lastHeartbeatTs, now),
            ConvergeFallback - _m.Time.GetElapsedTime(_lastConvergeTs, now),
        }.Min();
        return due < BusyStep ? BusyStep : due;
    }

    [LoggerMessage(2004, LogLevel.Warning, "Monitor step failed; retrying")]
    private static partial void LogStepFailed(ILogger logger, Exception ex);
}
