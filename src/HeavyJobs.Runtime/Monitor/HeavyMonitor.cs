using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using HeavyJobs.Core.Handlers;
using HeavyJobs.Core.Model;
using HeavyJobs.Runtime.Protocol;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Monitoring;
using HeavyJobs.Storage.Nodes;
using HeavyJobs.Storage.Throughput;
using HeavyJobs.Storage.Workers;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Runtime.Monitor;

/// <summary>
/// One per machine. Keeps the desired number of workers of each type running, talks to them over their
/// pipes, heartbeats all their leases in one statement, kills and replaces hung ones, restarts dead ones with
/// back-off, carries out operators' commands, and logs every action it takes. A worker's fault never ends it.
/// </summary>
public sealed partial class HeavyMonitor
{
    private const string Actor = "monitor";

    private readonly IHeavyStore _store;
    private readonly HandlerRegistry _registry;
    private readonly MonitorOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly WorkerProxy _proxy;
    private readonly Dictionary<long, WorkerProcess> _workers = [];
    private readonly Dictionary<string, CrashLoopTracker> _types = [];
    private readonly SemaphoreSlim _signal = new(0);
    /// <summary>Targets and commands are re-read at least this often even if no change is seen.</summary>
    private static readonly TimeSpan ConvergeFallback = TimeSpan.FromSeconds(30);

    /// <summary>How often the loop looks at a machine whose workers are all idle: no lease to extend, nothing due sooner.</summary>
    private static readonly TimeSpan IdleStep = TimeSpan.FromSeconds(5);

    /// <summary>How often the loop looks while workers start or stop, a restart waits or a kill is due.</summary>
    private static readonly TimeSpan BusyStep = TimeSpan.FromMilliseconds(500);

    private volatile bool _storeChanged = true;
    private long _lastConvergeTs;
    private long _lastHeartbeatTs;
    private long _lastReclaimTs;
    private long _lastNodeTs;
    private string _bootId = "";
    private RunningFiles? _runningFiles;

    public HeavyMonitor(IHeavyStore store, HandlerRegistry registry, MonitorOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        _store = store;
        _registry = registry;
        _options = options;
        _time = time;
        _logger = loggers.CreateLogger("HeavyJobs.Monitor");
        _proxy = new WorkerProxy(store, options, time);
    }

    /// <summary>Live worker processes, for tests and the all-in-one's display.</summary>
    public IReadOnlyList<(long Id, string Type, int Pid)> Workers
    {
        get
        {
            lock (_workers)
            {
                return _workers.Values.Select(w => (w.Id, w.Type, w.Pid)).ToList();
            }
        }
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        _bootId = BootId.Read();
        using var runningFiles = _runningFiles = new RunningFiles(RunningFiles.DefaultRoot);
        await _store.NodeUpsertAsync(new NodeUpsertParams(_options.Node, _bootId, _options.Version, Environment.ProcessorCount, _time.GetUtcNow()), stopping);
        await RecoverAsync(stopping);
        await ActAsync("monitor-start", $"monitor pid {Environment.ProcessId} started (boot {_bootId})", stopping);
        using var watcherStop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var watcher = WatchStoreAsync(watcherStop.Token);
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                try
                {
                    await StepAsync(stopping);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The store went away or a command was bad: log, wait a moment, carry on.
                    LogStepFailed(ex);
                    await Task.Delay(TimeSpan.FromSeconds(1), _time, stopping);
                }

                await WaitAsync(NextStep(), stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            await watcherStop.CancelAsync();
            await watcher;
            await ShutdownAsync();
        }
    }

    private async Task StepAsync(CancellationToken ct)
    {
        var reaped = await ReapAsync(ct);
        var now = _time.GetTimestamp();
        // Reading targets and commands costs the database a query each: do it when something changed, when a
        // worker went away or a restart is due, and otherwise only now and then, so an idle machine stays quiet.
        if (_storeChanged || reaped > 0 || _types.Values.Any(t => t.NextStartTs > _lastConvergeTs && t.NextStartTs <= now)
            || _time.GetElapsedTime(_lastConvergeTs, now) >= ConvergeFallback)
        {
            _storeChanged = false;
            _lastConvergeTs = now;
            await ApplyCommandsAsync(ct);
            await ConvergeAsync(ct);
        }

        await KillOverdueAsync(ct);
        if (_time.GetElapsedTime(_lastHeartbeatTs, now) >= HeartbeatPeriod())
        {
            _lastHeartbeatTs = now;
            await HeartbeatAsync(ct);
            await DetectHungAsync(ct);
        }

        if (_time.GetElapsedTime(_lastReclaimTs, now) >= _options.ReclaimInterval)
        {
            _lastReclaimTs = now;
            foreach (var r in await _store.ChunkReclaimExpiredAsync(new ChunkReclaimExpiredParams(_time.GetUtcNow(), _options.QuarantineAfter), ct))
            {
                await ActAsync(r.State == ChunkState.Quarantined ? "quarantine" : "reclaim", $"lease expired (holder {r.PreviousOwner})", ct, r.PreviousOwner, r.JobId, r.ChunkId);
            }
        }
    }

    /// <summary>
    /// Workers this node had before this monitor started are gone (their pipes closed with the old monitor): return
    /// their chunks now. Nobody kept what they were running, so each chunk counts a death; the chunks they claimed
    /// ahead they give back themselves as they stop, unless this monitor came back before they did.
    /// </summary>
    private async Task RecoverAsync(CancellationToken ct)
    {
        foreach (var old in await _store.WorkerListAsync(new WorkerListParams(_options.Node), ct))
        {
            await ReclaimAsync(old.Id, $"worker {old.Id} outlived by its monitor (monitor restarted)", ct);
            await _store.WorkerUpdateManyAsync(
                new WorkerUpdateManyParams([new WorkerUpdate(old.Id, WorkerState.Exited, null, 0, 0, 0, ExitReason: "monitor restarted")], _time.GetUtcNow()),
                ct);
        }
    }

    private async Task ApplyCommandsAsync(CancellationToken ct)
    {
        foreach (var command in await _store.CommandTakeAsync(new CommandTakeParams(_options.Node, _time.GetUtcNow()), ct))
        {
            WorkerProcess? target = null;
            if (command.WorkerId is { } id)
            {
                lock (_workers)
                {
                    _workers.TryGetValue(id, out target);
                }
            }

            switch (command.Kind)
            {
                case CommandKinds.Stop when target is not null:
                    await StopAsync(target, $"stopped by {command.Actor}", ct);
                    break;
                case CommandKinds.Restart when target is not null:
                    target.ReplaceWhenGone = true;
                    await StopAsync(target, $"restarted by {command.Actor}", ct);
                    break;
                case CommandKinds.Terminate when target is not null:
                    await TerminateAsync(target, $"terminated by {command.Actor}", "terminate", ct);
                    break;
                case CommandKinds.Drain:
                    foreach (var t in await _store.WorkerTargetListAsync(_options.Node, ct))
                    {
                        await _store.WorkerTargetSetAsync(new WorkerTargetSetParams(_options.Node, t.Type, 0, _time.GetUtcNow()), ct);
                    }

                    foreach (var w in Live())
                    {
                        await StopAsync(w, $"machine drained by {command.Actor}", ct);
                    }

                    await ActAsync("drain", $"machine drained by {command.Actor}", ct);
                    break;
                default:
                    await ActAsync("ignored", $"{command.Kind} for worker {command.WorkerId} by {command.Actor}: no such live worker on this machine", ct, command.WorkerId);
                    break;
            }
        }
    }

    private async Task ConvergeAsync(CancellationToken ct)
    {
        var targets = await _store.WorkerTargetListAsync(_options.Node, ct);
        var wanted = targets.ToDictionary(t => t.Type, t => t.Count);
        foreach (var type in Live().Select(w => w.Type).Distinct().Where(t => !wanted.ContainsKey(t)).ToList())
        {
            wanted[type] = 0;
        }

        foreach (var (type, count) in wanted)
        {
            var live = Live().Where(w => w.Type == type && w.EndingReason is null).OrderByDescending(w => w.Id).ToList();
            if (live.Count > count)
            {
                // Idle ones go first: scaling down should not interrupt work if it can help it.
                foreach (var w in live.OrderBy(w => w.State == WorkerState.Busy).ThenByDescending(w => w.Id).Take(live.Count - count))
                {
                    await StopAsync(w, $"scale {type}: {live.Count} → {count}", ct);
                }
            }
            else if (live.Count < count)
            {
                var tracker = Tracker(type);
                if (tracker.Delay > TimeSpan.Zero)
                {
                    continue;
                }

                for (var i = live.Count; i < count; i++)
                {
                    await StartAsync(type, $"scale {type}: {live.Count} → {count}", ct);
                }
            }
        }
    }

    private async Task StartAsync(string type, string reason, CancellationToken ct, int restarts = 0)
    {
        if (!_registry.Contains(type) && !_options.ExternalWorkers.ContainsKey(type))
        {
            await _store.WorkerTargetHealthAsync(new WorkerTargetHealthParams(_options.Node, type, true, $"unknown job type '{type}' on {_options.Node}: no handler and no external worker", _time.GetUtcNow()), ct);
            Tracker(type).Died();
            return;
        }

        var id = await _store.WorkerRegisterAsync(new WorkerRegisterParams(_options.Node, 0, [type], _options.Version, restarts, _time.GetUtcNow()), ct);
        var command = _options.ExternalWorkers.TryGetValue(type, out var external)
            ? external
            : [.. _options.WorkerCommand, "worker", "--monitored", "--types", type];
        var info = ProcessGroup.InNewGroup(command);
        info.Environment[WorkerEnvironment.WorkerId] = id.ToString(CultureInfo.InvariantCulture);
        info.Environment[WorkerEnvironment.Types] = type;
        info.Environment[WorkerEnvironment.Db] = _options.Db;
        info.Environment[WorkerEnvironment.HeartbeatMs] = ((long)_options.WorkerHeartbeat.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        info.Environment[WorkerEnvironment.IdleHeartbeatMs] = ((long)_options.EffectiveWorkerIdleHeartbeat.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        info.Environment[WorkerEnvironment.LeaseMs] = ((long)_options.Lease.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        string? runningFile = null;
        try
        {
            runningFile = _runningFiles?.Create(id);
            if (runningFile is not null)
            {
                info.Environment[WorkerEnvironment.RunningFile] = runningFile;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // It still runs; only its death will count for every chunk it holds, claimed ahead or not.
            LogRunningFileFailed(ex, id);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            if (runningFile is not null)
            {
                RunningFiles.Delete(runningFile);
            }

            await _store.WorkerUpdateManyAsync(new WorkerUpdateManyParams([new WorkerUpdate(id, WorkerState.Exited, null, 0, 0, 0, ExitReason: $"could not start: {ex.Message}")], _time.GetUtcNow()), ct);
            await TypeDiedAsync(type, $"could not start {string.Join(' ', command)}: {ex.Message}", ct);
            return;
        }

        var worker = new WorkerProcess(id, type, process, _time, _options.StderrLines, restarts, runningFile);
        lock (_workers)
        {
            _workers[id] = worker;
        }

        _ = Task.Run(() => worker.ReadOutputAsync((w, t, body) => OnMessageAsync(w, t, body)), CancellationToken.None);
        _ = Task.Run(worker.ReadErrorsAsync, CancellationToken.None);
        _ = worker.Exited.ContinueWith(_ => _signal.Release(), TaskScheduler.Default);
        await _store.WorkerUpdateManyAsync(new WorkerUpdateManyParams([new WorkerUpdate(id, WorkerState.Starting, null, 0, 0, 0, Pid: worker.Pid)], _time.GetUtcNow()), ct);
        await ActAsync("start", $"{type} worker pid {worker.Pid}: {reason}", ct, id);
        LogStarted(id, type, worker.Pid, reason);
    }

    private Task OnMessageAsync(WorkerProcess worker, string type, JsonObject body) =>
        _proxy.HandleAsync(worker, type, body, CancellationToken.None);

    private async Task StopAsync(WorkerProcess worker, string reason, CancellationToken ct)
    {
        if (worker.EndingReason is not null)
        {
            return;
        }

        worker.EndingReason = reason;
        worker.KillAtTs = _time.GetTimestamp() + (long)(_options.StopGrace.TotalSeconds * _time.TimestampFrequency);
        worker.Send(new { type = "stop", graceMs = (long)_options.StopGrace.TotalMilliseconds });
        await ActAsync("stop", reason, ct, worker.Id);
    }

    private async Task TerminateAsync(WorkerProcess worker, string reason, string kind, CancellationToken ct)
    {
        worker.EndingReason = reason;
        worker.Kill();
        await ActAsync(kind, $"{reason} (process group of pid {worker.Pid} killed)", ct, worker.Id);
        // Reap now rather than on the next step: its chunks should not wait.
        await worker.Exited.WaitAsync(TimeSpan.FromSeconds(5), _time, ct).ContinueWith(_ => { }, TaskScheduler.Default);
        await ReapAsync(ct);
    }

    private async Task KillOverdueAsync(CancellationToken ct)
    {
        var now = _time.GetTimestamp();
        foreach (var w in Live().Where(w => w.KillAtTs is { } at && at <= now).ToList())
        {
            w.KillAtTs = null;
            await TerminateAsync(w, $"{w.EndingReason}; not gone after the {_options.StopGrace.TotalSeconds:0} s grace period", "kill", ct);
        }

        foreach (var w in Live().Where(w => w.Broken && w.EndingReason is null).ToList())
        {
            await TerminateAsync(w, $"broken: {WorkerProcess.MaxGarbageInARow} lines of garbage on stdout", "kill", ct);
        }
    }

    /// <summary>Handles every worker whose process has ended: its chunks go back at once, and it is replaced if it should be.</summary>
    private async Task<int> ReapAsync(CancellationToken ct)
    {
        List<WorkerProcess> gone;
        lock (_workers)
        {
            gone = _workers.Values.Where(w => w.Exited.IsCompleted).ToList();
        }

        foreach (var w in gone)
        {
            // Let the readers drain what the process said last (its final stderr lines).
            await Task.Delay(TimeSpan.FromMilliseconds(20), _time, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            var planned = w.EndingReason is not null;
            var reason = w.EndingReason ?? $"died: exit code {w.ExitCode}";
            // The process is gone, so what its file says it was running is final: only those chunks count its death.
            await ReclaimAsync(w.Id, $"worker {w.Id} {reason}", ct, w.RunningFile is { } file ? RunningFile.Read(file) : null);
            if (w.RunningFile is { } done)
            {
                RunningFiles.Delete(done);
            }

            await _store.WorkerUpdateManyAsync(
                new WorkerUpdateManyParams([new WorkerUpdate(w.Id, WorkerState.Exited, null, 0, 0, 0, Tail(w), reason)], _time.GetUtcNow()),
                ct);
            await _store.ThroughputAddAsync(new ThroughputAddParams(w.TakeSamples()), ct);
            lock (_workers)
            {
                _workers.Remove(w.Id);
            }

            LogExited(w.Id, w.Type, w.Pid, reason);
            if (!planned)
            {
                await ActAsync("died", $"{w.Type} worker pid {w.Pid} {reason}; last stderr: {Last(w, 3)}", ct, w.Id);
                await TypeDiedAsync(w.Type, Tail(w), ct);
            }
            else
            {
                await ActAsync("exit", $"{w.Type} worker pid {w.Pid} exited (code {w.ExitCode}): {reason}", ct, w.Id);
                if (w.ReplaceWhenGone)
                {
                    await StartAsync(w.Type, $"replacing worker {w.Id} ({reason})", ct, w.Restarts + 1);
                }
            }
        }

        return gone.Count;
    }

    private async Task TypeDiedAsync(string type, string note, CancellationToken ct)
    {
        var tracker = Tracker(type);
        var became = tracker.Died();
        await ActAsync("backoff", $"{type}: next start in {tracker.Delay.TotalSeconds:0.0} s", ct);
        if (became)
        {
            await ActAsync("crash-loop", $"{type}: {_options.CrashLoopDeaths} deaths within {_options.CrashLoopWindow.TotalSeconds:0} s; last stderr: {note}", ct);
            await _store.WorkerTargetHealthAsync(new WorkerTargetHealthParams(_options.Node, type, true, note, _time.GetUtcNow()), ct);
        }
    }

    /// <param name="running">The chunks it was running, which alone count its death; null if not known (then all do).</param>
    private async Task ReclaimAsync(long workerId, string reason, CancellationToken ct, IReadOnlyCollection<long>? running = null)
    {
        var returned = 0;
        foreach (var r in await _store.ChunkReclaimByWorkerAsync(new ChunkReclaimByWorkerParams(workerId, reason, _time.GetUtcNow(), _options.QuarantineAfter, running), ct))
        {
            if (!r.DeathCounted)
            {
                returned++;
                continue;
            }

            await ActAsync(
                r.State == ChunkState.Quarantined ? "quarantine" : "reclaim",
                r.State == ChunkState.Quarantined ? $"chunk killed its worker {_options.QuarantineAfter} times ({reason})" : reason,
                ct,
                workerId,
                r.JobId,
                r.ChunkId);
        }

        if (returned > 0)
        {
            // One line for them all: a worker of quick chunks may have held a thousand.
            await ActAsync("reclaim", $"{returned} chunk(s) claimed ahead or finished but not committed, returned without a death ({reason})", ct, workerId);
        }
    }

    private async Task HeartbeatAsync(CancellationToken ct)
    {
        var live = Live();
        var holding = live.Where(w => w.Chunks.Count > 0 || w.Proxy).Select(w => w.Id).ToList();
        if (holding.Count > 0)
        {
            await _store.ChunkLeaseExtendAsync(new ChunkLeaseExtendParams(holding, _time.GetUtcNow(), _options.Lease), ct);
        }

        var now = _time.GetTimestamp();
        var updates = new List<WorkerUpdate>();
        foreach (var w in live)
        {
            var due = w.StateAtLastRow != w.State || _time.GetElapsedTime(w.RowWrittenTs, now) >= _options.WorkerRowRefresh;
            if (!due)
            {
                continue;
            }

            // CPU is measured between two rows: one read of /proc per row, not per heartbeat.
            w.Stats.Sample(w.Pid, _time);

            var seconds = w.RowWrittenTs == 0 ? 0 : _time.GetElapsedTime(w.RowWrittenTs, now).TotalSeconds;
            var rate = seconds > 0 ? Math.Round((w.Items - w.ItemsAtLastRow) / seconds, 1) : 0;
            updates.Add(new WorkerUpdate(w.Id, w.State, w.Chunks.Count > 0 ? w.Chunks[0] : null, w.Stats.CpuPercent, w.Stats.RssBytes, rate, Tail(w)));
            w.ItemsAtLastRow = w.Items;
            w.RowWrittenTs = now;
            w.StateAtLastRow = w.State;
            if (_time.GetElapsedTime(w.StartedTs, now) > _options.CrashLoopWindow && Tracker(w.Type).Survived())
            {
                await _store.WorkerTargetHealthAsync(new WorkerTargetHealthParams(_options.Node, w.Type, false, null, _time.GetUtcNow()), ct);
                await ActAsync("recovered", $"{w.Type}: a worker has lived {_options.CrashLoopWindow.TotalSeconds:0} s; no longer crash-looping", ct, w.Id);
            }
        }

        await _store.WorkerUpdateManyAsync(new WorkerUpdateManyParams(updates, _time.GetUtcNow()), ct);
        await _store.ThroughputAddAsync(new ThroughputAddParams(live.SelectMany(w => w.TakeSamples()).ToList()), ct);
        if (_time.GetElapsedTime(_lastNodeTs, now) >= TimeSpan.FromSeconds(10))
        {
            _lastNodeTs = now;
            await _store.NodeUpsertAsync(new NodeUpsertParams(_options.Node, _bootId, _options.Version, Environment.ProcessorCount, _time.GetUtcNow()), ct);
        }
    }

    private async Task DetectHungAsync(CancellationToken ct)
    {
        var now = _time.GetTimestamp();
        foreach (var w in Live().Where(w => w.EndingReason is null).ToList())
        {
            var silent = _time.GetElapsedTime(w.LastHeartbeatTs, now);
            var stall = _options.StallTimeout ?? (_registry.Contains(w.Type) ? _registry.Get(w.Type).Options.StallTimeout : HandlerDefaults.StallTimeout);
            var still = _time.GetElapsedTime(w.LastProgressTs, now);
            string? why = null;
            if (silent >= (w.State == WorkerState.Idle ? _options.IdleHungAfter : _options.HungAfter))
            {
                why = $"hung: no heartbeat for {silent.TotalSeconds:0} s";
            }
            else if (w.State == WorkerState.Busy && still >= stall)
            {
                why = $"hung: no progress for {still.TotalSeconds:0} s while busy on chunk {string.Join(",", w.Chunks)} (stall timeout {stall.TotalSeconds:0} s)";
            }

            if (why is not null)
            {
                LogHung(w.Id, why);
                w.ReplaceWhenGone = true;
                await TerminateAsync(w, why, "kill", ct);
            }
        }
    }

    /// <summary>
    /// One watcher per machine: when the store changes, wake this loop; when it changes, and every
    /// <see cref="MonitorOptions.IdleProbeInterval"/> without a change, wake idle workers whose types have work.
    /// </summary>
    private async Task WatchStoreAsync(CancellationToken ct)
    {
        await using var watcher = _store.CreateChangeWatcher();
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (await watcher.WaitAsync(_options.IdleProbeInterval, ct))
                {
                    _storeChanged = true;
                    _signal.Release();
                }
                var idle = Live().Where(w => w.State == WorkerState.Idle && w.EndingReason is null).ToList();
                if (idle.Count == 0)
                {
                    continue;
                }

                var ready = await _store.ChunkReadyTypesAsync(idle.Select(w => w.Type).Distinct().ToList(), _time.GetUtcNow(), ct);
                foreach (var w in idle.Where(w => ready.Contains(w.Type)))
                {
                    w.Send(new { type = "wake" });
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogWatchFailed(ex);
                await Task.Delay(TimeSpan.FromSeconds(1), _time, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task ShutdownAsync()
    {
        foreach (var w in Live())
        {
            await StopAsync(w, "monitor stopping", CancellationToken.None);
        }

        var deadline = _time.GetTimestamp() + (long)(_options.StopGrace.TotalSeconds * _time.TimestampFrequency);
        while (Live().Count > 0 && _time.GetTimestamp() < deadline)
        {
            await ReapAsync(CancellationToken.None);
            await WaitAsync(TimeSpan.FromMilliseconds(100), CancellationToken.None);
        }

        foreach (var w in Live())
        {
            w.Kill();
        }

        await Task.WhenAll(Live().Select(w => w.Exited.WaitAsync(TimeSpan.FromSeconds(5), _time).ContinueWith(_ => { }, TaskScheduler.Default)));
        await ReapAsync(CancellationToken.None);
        await ActAsync("monitor-stop", $"monitor pid {Environment.ProcessId} stopped", CancellationToken.None);
    }

    /// <summary>
    /// Leases are extended and workers looked at every <see cref="MonitorOptions.HeartbeatInterval"/> while any
    /// of them holds chunks; a machine of idle workers is looked at less often, since every wake-up costs it.
    /// </summary>
    private TimeSpan HeartbeatPeriod() =>
        Live().Any(w => w.State != WorkerState.Idle || w.Chunks.Count > 0 || w.Proxy) ? _options.HeartbeatInterval : IdleStep;

    /// <summary>
    /// How long the loop may sleep: until the next heartbeat, reclaim or re-read is due, or half a second while
    /// something is in motion. Exits and store changes wake it sooner.
    /// </summary>
    private TimeSpan NextStep()
    {
        var now = _time.GetTimestamp();
        if (Live().Any(w => w.State == WorkerState.Starting || w.EndingReason is not null || w.KillAtTs is not null)
            || _types.Values.Any(t => t.NextStartTs > now))
        {
            return BusyStep;
        }

        var due = new[]
        {
            HeartbeatPeriod() - _time.GetElapsedTime(_lastHeartbeatTs, now),
            _options.ReclaimInterval - _time.GetElapsedTime(_lastReclaimTs, now),
            ConvergeFallback - _time.GetElapsedTime(_lastConvergeTs, now),
        }.Min();
        return due < BusyStep ? BusyStep : due;
    }

    private async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        await _signal.WaitAsync(timeout, ct);
    }

    private List<WorkerProcess> Live()
    {
        lock (_workers)
        {
            return [.. _workers.Values];
        }
    }

    private CrashLoopTracker Tracker(string type)
    {
        if (!_types.TryGetValue(type, out var tracker))
        {
            _types[type] = tracker = new CrashLoopTracker(_options, _time);
        }

        return tracker;
    }

    private Task ActAsync(string kind, string reason, CancellationToken ct, long? workerId = null, long? jobId = null, long? chunkId = null) =>
        _store.ActionInsertAsync(new ActionInsertParams(Actor, kind, reason, _time.GetUtcNow(), _options.Node, workerId, jobId, chunkId), ct);

    private static string Tail(WorkerProcess w) => w.StderrTail;

    private static string Last(WorkerProcess w, int lines)
    {
        var all = w.StderrTail.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return all.Length == 0 ? "(none)" : string.Join(" | ", all.TakeLast(lines));
    }

    [LoggerMessage(2001, LogLevel.Information, "Started worker {WorkerId} ({Type}) pid {Pid}: {Reason}")]
    private partial void LogStarted(long workerId, string type, int pid, string reason);

    [LoggerMessage(2002, LogLevel.Information, "Worker {WorkerId} ({Type}) pid {Pid} gone: {Reason}")]
    private partial void LogExited(long workerId, string type, int pid, string reason);

    [LoggerMessage(2003, LogLevel.Warning, "Worker {WorkerId} {Why}; killing and replacing it")]
    private partial void LogHung(long workerId, string why);

    [LoggerMessage(2004, LogLevel.Warning, "Monitor step failed; retrying")]
    private partial void LogStepFailed(Exception ex);

    [LoggerMessage(2005, LogLevel.Warning, "Store watch failed; retrying")]
    private partial void LogWatchFailed(Exception ex);

    [LoggerMessage(2006, LogLevel.Warning, "Could not make the running file of worker {WorkerId}; its death will count for every chunk it holds")]
    private partial void LogRunningFileFailed(Exception ex, long workerId);
}
