using System.Diagnostics;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Workers;

namespace HeavyJobs.TestSupport.Chaos;

/// <summary>Each fault of the plan, done with real signals, and what brings its victim back.</summary>
public sealed partial class ChaosRun
{
    private static readonly TimeSpan BusyWithin = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ResumeWithin = TimeSpan.FromMinutes(2);

    /// <summary>How long a stopped worker's last claim is given to be in the store (<see cref="StopIfSafeAsync"/>).</summary>
    private static readonly TimeSpan ClaimSettle = TimeSpan.FromMilliseconds(300);

    /// <summary>Does the fault; false when it found no victim.</summary>
    private async Task<bool> ApplyAsync(PlannedFault fault, CancellationToken ct)
    {
        var done = fault.Kind switch
        {
            FaultKind.KillWorker => await KillWorkerAsync(fault, ct),
            FaultKind.FreezeWorker => await FreezeWorkerAsync(fault, ct),
            FaultKind.KillMonitor => await KillMachineAsync(fault, whole: false, ct),
            FaultKind.KillMachine => await KillMachineAsync(fault, whole: true, ct),
            FaultKind.FreezeMachine => await FreezeMachineAsync(fault, ct),
            FaultKind.KillManager => await KillManagerAsync(fault),
            FaultKind.RestartDatabase => await RestartDatabaseAsync(fault, ct),
            _ => false,
        };
        if (done)
        {
            _applied[fault.Kind] = _applied.GetValueOrDefault(fault.Kind) + 1;
        }
        else
        {
            _skipped++;
            Log($"#{fault.Index} {fault.Kind}: no victim, skipped");
        }

        return done;
    }

    private async Task<bool> KillWorkerAsync(PlannedFault fault, CancellationToken ct)
    {
        if (await PickWorkerAsync(fault.Pick, ct) is not { } w || !await StopIfSafeAsync(w, ct))
        {
            return false;
        }

        var held = HeldBy([w.Id]);
        await ChaosProcesses.SignalAsync([w.Pid], "KILL");
        _recovery.Track(fault.Index, fault.Kind, held, Stopwatch.GetTimestamp());
        _processesKilled++;
        Log($"#{fault.Index} SIGKILL worker {w.Id} (pid {w.Pid}) on {w.Node}, holding {Chunks(held)}");
        return true;
    }

    private async Task<bool> FreezeWorkerAsync(PlannedFault fault, CancellationToken ct)
    {
        if (await PickWorkerAsync(fault.Pick, ct) is not { } w || !await StopIfSafeAsync(w, ct))
        {
            return false;
        }

        _frozen.Add(w.Pid);
        Log($"#{fault.Index} SIGSTOP worker {w.Id} (pid {w.Pid}) on {w.Node} for {fault.Down.TotalSeconds:0.0} s");
        After(fault.Down, async () =>
        {
            await ChaosProcesses.SignalAsync([w.Pid], "CONT");
            _frozen.Remove(w.Pid);
        });
        return true;
    }

    /// <summary>The monitor alone (restarted with the same boot id), or the machine whole (restarted as after a reboot).</summary>
    private async Task<bool> KillMachineAsync(PlannedFault fault, bool whole, CancellationToken ct)
    {
        if (PickMachine(fault.Pick) is not { } name)
        {
            return false;
        }

        var monitor = _fleet.MonitorOf(name);
        var workers = await StoreAsync(() => _fleet.Store.WorkerListAsync(new WorkerListParams(name), ct)) ?? [];
        var held = HeldBy(workers.Select(w => w.Id));
        var pids = whole ? ChaosProcesses.Tree(monitor.Id).Union(workers.Where(w => ChaosProcesses.IsWorker(w, _fleet.Dbs)).Select(w => w.Pid)).ToList() : [monitor.Id];
        await ChaosProcesses.SignalAsync(pids, "KILL");
        _recovery.Track(fault.Index, fault.Kind, held, Stopwatch.GetTimestamp());
        _processesKilled += pids.Count;
        await monitor.WaitForExitAsync(ct);
        _machines[name] = MachineState.Down;
        Log($"#{fault.Index} SIGKILL {(whole ? $"machine {name} whole ({pids.Count} processes)" : $"monitor of {name}")}, holding {Chunks(held)}; back in {fault.Down.TotalSeconds:0.0} s");
        After(fault.Down, () =>
        {
            _fleet.StartMachine(name, reboot: whole);
            _machines[name] = MachineState.Up;
            return Task.CompletedTask;
        });
        return true;
    }

    /// <summary>A machine stopped whole past its lease: the fleet declares it dead and runs its chunks elsewhere; thawed, it must write nothing that sticks.</summary>
    private async Task<bool> FreezeMachineAsync(PlannedFault fault, CancellationToken ct)
    {
        if (PickMachine(fault.Pick) is not { } name)
        {
            return false;
        }

        var workers = await StoreAsync(() => _fleet.Store.WorkerListAsync(new WorkerListParams(name), ct)) ?? [];
        var held = HeldBy(workers.Select(w => w.Id));
        var pids = ChaosProcesses.Tree(_fleet.MonitorOf(name).Id);
        await ChaosProcesses.SignalAsync(pids, "STOP");
        _frozen.UnionWith(pids);
        _recovery.Track(fault.Index, fault.Kind, held, Stopwatch.GetTimestamp());
        _machines[name] = MachineState.Frozen;
        Log($"#{fault.Index} SIGSTOP machine {name} whole ({pids.Count} processes) for {fault.Down.TotalSeconds:0.0} s, holding {Chunks(held)}");
        After(fault.Down, async () =>
        {
            await ChaosProcesses.SignalAsync(pids, "CONT");
            _frozen.ExceptWith(pids);
            _machines[name] = MachineState.Up;
        });
        return true;
    }

    private async Task<bool> KillManagerAsync(PlannedFault fault)
    {
        var live = _fleet.Managers.Where(p => !p.HasExited).OrderBy(p => p.Id).ToList();
        if (live.Count == 0)
        {
            return false;
        }

        var victim = live[fault.Pick % live.Count];
        await ChaosProcesses.SignalAsync([victim.Id], "KILL");
        await victim.WaitForExitAsync();
        _processesKilled++;
        _managersDown++;
        Log($"#{fault.Index} SIGKILL manager pid {victim.Id}; back in {fault.Down.TotalSeconds:0.0} s");
        After(fault.Down, () =>
        {
            _fleet.StartManager();
            _managersDown--;
            return Task.CompletedTask;
        });
        return true;
    }

    /// <summary>Restarts the database server; its recovery is the time until items are done again.</summary>
    private async Task<bool> RestartDatabaseAsync(PlannedFault fault, CancellationToken ct)
    {
        if (_o.RestartDatabase is not { } restart)
        {
            return false;
        }

        var doneBefore = await StoreAsync(() => DoneAsync(ct));
        var started = Stopwatch.GetTimestamp();
        Log($"#{fault.Index} database restart");
        await restart(ct);
        var resumed = await ServiceUntilAsync(async () => await StoreAsync(() => DoneAsync(ct)) > doneBefore, ResumeWithin, ct);
        var after = resumed ? Stopwatch.GetElapsedTime(started) : (TimeSpan?)null;
        _recovery.Add(new Recovery(fault.Index, fault.Kind, 0, after));
        Log($"#{fault.Index} database back; work resumed {(after is { } a ? $"{a.TotalSeconds:0.0} s after the restart began" : "NOT within the limit")}");
        return true;
    }

    private async Task<long> DoneAsync(CancellationToken ct)
    {
        long done = 0;
        foreach (var job in _jobs)
        {
            done += (await _fleet.Store.ChunkListAsync(new ChunkListParams(job, Limit: 100_000), ct)).Sum(c => c.Counters.Done);
        }

        return done;
    }

    /// <summary>
    /// A busy worker on a machine that is up, waiting a little for one; an idle one if none gets busy. Never the
    /// holder of a chunk one death from quarantine: deaths in a row at one place are how a poison chunk is told
    /// (<see cref="ChunkDefaults.QuarantineAfter"/>), and the runner's kills are not the chunk's doing. A chunk the
    /// fleet quarantines anyway (a death counted that should not be) still fails the verdict.
    /// </summary>
    private async Task<WorkerRow?> PickWorkerAsync(int pick, CancellationToken ct)
    {
        IReadOnlyList<WorkerRow> candidates = [];
        var busy = await ServiceUntilAsync(
            async () =>
            {
                var all = await StoreAsync(() => _fleet.Store.WorkerListAsync(new WorkerListParams(), ct)) ?? [];
                // The chunks as they are now, not as the last look saw them: a worker may have taken a chunk one
                // death from quarantine since (a partly done chunk runs first, so the next free worker takes it).
                await RefreshChunksAsync(ct);
                candidates = all.Where(w => _machines.GetValueOrDefault(w.Node) == MachineState.Up && !_frozen.Contains(w.Pid) && ChaosProcesses.IsWorker(w, _fleet.Dbs))
                    .Where(w => HeldBy([w.Id]).All(c => c.Crashes < ChunkDefaults.QuarantineAfter - 1))
                    .OrderBy(w => w.Id).ToList();
                return candidates.Any(w => w.State == WorkerState.Busy);
            },
            BusyWithin,
            ct);
        var pool = busy ? candidates.Where(w => w.State == WorkerState.Busy).ToList() : candidates;
        return pool.Count == 0 ? null : pool[pick % pool.Count];
    }

    /// <summary>
    /// Stops the picked worker (SIGSTOP) and looks at its chunks again: true if it holds none one death from
    /// quarantine, and it stays stopped for the fault; else it is let go on (SIGCONT) and the fault finds no victim.
    /// Between the look that picked it and the signal a worker can take such a chunk: once, one picked holding
    /// nothing had claimed a chunk with two deaths by its kill, a third death the fleet rightly counted. Stopped, it
    /// claims nothing more, and a claim already on its way (the database or its monitor carries it out) is in the
    /// store well within the pause before the second look.
    /// </summary>
    private async Task<bool> StopIfSafeAsync(WorkerRow worker, CancellationToken ct)
    {
        await ChaosProcesses.SignalAsync([worker.Pid], "STOP");
        await Task.Delay(ClaimSettle, ct);
        if (await RefreshChunksAsync(ct) && HeldBy([worker.Id]).All(c => c.Crashes < ChunkDefaults.QuarantineAfter - 1))
        {
            return true;
        }

        await ChaosProcesses.SignalAsync([worker.Pid], "CONT");
        Log($"worker {worker.Id} (pid {worker.Pid}) took a chunk one death from quarantine, or the store could not say: let go");
        return false;
    }

    /// <summary>Reads the active jobs' chunks afresh; false if the store did not answer (the last look stays).</summary>
    private async Task<bool> RefreshChunksAsync(CancellationToken ct) =>
        await StoreAsync(async () =>
        {
            var fresh = new List<ChunkRow>();
            foreach (var job in _active.ToList())
            {
                fresh.AddRange(await _fleet.Store.ChunkListAsync(new ChunkListParams(job, Limit: 100_000), ct));
            }

            _chunks = fresh;
            return true;
        });

    private string? PickMachine(int pick)
    {
        var up = _machines.Where(m => m.Value == MachineState.Up).Select(m => m.Key).ToList();
        return up.Count == 0 ? null : up[pick % up.Count];
    }

    private List<ChunkRow> HeldBy(IEnumerable<long> workers)
    {
        var ids = workers.ToHashSet();
        return _chunks.Where(c => c.State == ChunkState.Running && c.LeaseOwner is { } o && ids.Contains(o)).ToList();
    }

    private void After(TimeSpan delay, Func<Task> act) => _later.Add(new Later(_clock.Elapsed + delay, act));

    private static string Chunks(List<ChunkRow> held) => held.Count == 0 ? "no chunk" : $"chunk(s) {string.Join(',', held.Select(c => c.Id))}";
}
