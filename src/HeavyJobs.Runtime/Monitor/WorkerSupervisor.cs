using System.Diagnostics;
using System.Globalization;
using HeavyJobs.Core.Model;
using HeavyJobs.Runtime.Protocol;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Monitoring;
using HeavyJobs.Storage.Throughput;
using HeavyJobs.Storage.Workers;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Runtime.Monitor;

/// <summary>
/// The life of worker processes: starts them with their environment and pipes, asks them to stop, kills them,
/// and reaps them when they end: their chunks go back at once, and an unplanned death counts toward its type's
/// back-off and crash-loop state and toward the quarantine of the chunks it was running.
/// </summary>
internal sealed partial class WorkerSupervisor(MonitorContext m, WorkerProxy proxy)
{
    /// <summary>The young-generation budget of a .NET process (<see cref="MonitorOptions.WorkerGen0Budget"/>), in hexadecimal bytes.</summary>
    internal const string Gen0SizeVariable = "DOTNET_GCgen0size";

    public async Task StartAsync(string type, string reason, CancellationToken ct, int restarts = 0)
    {
        var options = m.Options;
        if (!m.Registry.Contains(type) && !options.ExternalWorkers.ContainsKey(type))
        {
            await m.Store.WorkerTargetHealthAsync(new WorkerTargetHealthParams(options.Node, type, true, $"unknown job type '{type}' on {options.Node}: no handler and no external worker", m.Time.GetUtcNow()), ct);
            m.Tracker(type).Died();
            return;
        }

        var id = await m.Store.WorkerRegisterAsync(new WorkerRegisterParams(options.Node, 0, [type], options.Version, restarts, m.Time.GetUtcNow()), ct);
        var command = options.ExternalWorkers.TryGetValue(type, out var external)
            ? external
            : [.. options.WorkerCommand.Count > 0 ? options.WorkerCommand : Hosting.SelfCommand.Current, "worker", "--monitored", "--types", type];
        var info = ProcessGroup.InNewGroup(command);
        info.Environment[WorkerEnvironment.WorkerId] = id.ToString(CultureInfo.InvariantCulture);
        info.Environment[WorkerEnvironment.Types] = type;
        info.Environment[WorkerEnvironment.Db] = options.Db;
        if (options.StoreKind is { } kind)
        {
            info.Environment[WorkerEnvironment.Store] = kind;
        }

        info.Environment[WorkerEnvironment.StoreAccess] = options.WorkersThroughMonitor ? StoreCalls.AccessMonitor : StoreCalls.AccessDirect;
        info.Environment[WorkerEnvironment.HeartbeatMs] = Ms(options.WorkerHeartbeat);
        info.Environment[WorkerEnvironment.IdleHeartbeatMs] = Ms(options.EffectiveWorkerIdleHeartbeat);
        info.Environment[WorkerEnvironment.LeaseMs] = Ms(options.Lease);
        // The runtime reads it only from the environment (it has no runtimeconfig.json name). One the monitor
        // was started with passes on as it is.
        if (external is null && options.WorkerGen0Budget > 0 && !info.Environment.ContainsKey(Gen0SizeVariable))
        {
            info.Environment[Gen0SizeVariable] = "0x" + options.WorkerGen0Budget.ToString("x", CultureInfo.InvariantCulture);
        }

        string? runningFile = null;
        try
        {
            runningFile = m.RunningFiles?.Create(id);
            if (runningFile is not null)
            {
                info.Environment[WorkerEnvironment.RunningFile] = runningFile;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // It still runs; only its death will count for every chunk it holds, claimed ahead or not.
            LogRunningFileFailed(m.Logger, ex, id);
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

            await m.Store.WorkerUpdateManyAsync(new WorkerUpdateManyParams([new WorkerUpdate(id, WorkerState.Exited, null, 0, 0, 0, ExitReason: $"could not start: {ex.Message}")], m.Time.GetUtcNow()), ct);
            await TypeDiedAsync(type, $"could not start {string.Join(' ', command)}: {ex.Message}", ct);
            return;
        }

        var worker = new WorkerProcess(id, type, process, m.Time, options.StderrLines, restarts, runningFile);
        m.Add(worker);
        _ = Task.Run(() => worker.ReadOutputAsync((w, t, body) => proxy.HandleAsync(w, t, body, CancellationToken.None)), CancellationToken.None);
        _ = Task.Run(worker.ReadErrorsAsync, CancellationToken.None);
        _ = worker.Exited.ContinueWith(_ => m.Signal.Release(), TaskScheduler.Default);
        // Without this the loop would see the new worker only at its next half-second step, and its row would say
        // "starting" that much longer (a scale-up measured 600 or 900 ms by where the step fell).
        _ = worker.Ready.ContinueWith(_ => m.Signal.Release(), TaskScheduler.Default);
        await m.Store.WorkerUpdateManyAsync(new WorkerUpdateManyParams([new WorkerUpdate(id, WorkerState.Starting, null, 0, 0, 0, Pid: worker.Pid)], m.Time.GetUtcNow()), ct);
        await m.ActAsync(ActionKinds.Start, $"{type} worker pid {worker.Pid}: {reason}", ct, id);
        LogStarted(m.Logger, id, type, worker.Pid, reason);
    }

    /// <summary>Asks a worker to checkpoint and leave, to be replaced if <paramref name="replace"/>; it is killed if still there after the stop grace.</summary>
    public async Task StopAsync(WorkerProcess worker, string reason, CancellationToken ct, bool replace = false)
    {
        if (!worker.TryEnd(reason, replace))
        {
            return;
        }

        worker.EndedBySystem = true;
        worker.KillAtTs = m.TimestampAfter(m.Options.StopGrace);
        worker.Send(new StopMessage((long)m.Options.StopGrace.TotalMilliseconds));
        await m.ActAsync(ActionKinds.Stop, reason, ct, worker.Id);
    }

    /// <summary>Kills a worker's process group now, logs it under <paramref name="kind"/>, and reaps it.</summary>
    public async Task TerminateAsync(WorkerProcess worker, string reason, string kind, CancellationToken ct)
    {
        worker.EndingReason = reason;
        // An operator's terminate is the system's doing; a hung or broken worker's kill is the chunk's or the worker's.
        worker.EndedBySystem |= kind == ActionKinds.Terminate;
        worker.Kill();
        await m.ActAsync(kind, $"{reason} (process group of pid {worker.Pid} killed)", ct, worker.Id);
        // Reap now rather than on the next step: its chunks should not wait.
        await worker.Exited.WaitAsync(TimeSpan.FromSeconds(5), m.Time, ct).ContinueWith(_ => { }, TaskScheduler.Default);
        await ReapAsync(ct);
    }

    /// <summary>Kills workers still there after their stop grace, and workers that speak only garbage.</summary>
    public async Task KillOverdueAsync(CancellationToken ct)
    {
        var now = m.Time.GetTimestamp();
        foreach (var w in m.Live().Where(w => w.KillAtTs is { } at && at <= now).ToList())
        {
            w.KillAtTs = null;
            await TerminateAsync(w, $"{w.EndingReason}; not gone after the {m.Options.StopGrace.TotalSeconds:0} s grace period", ActionKinds.Kill, ct);
        }

        foreach (var w in m.Live().Where(w => w.Broken && w.EndingReason is null).ToList())
        {
            await TerminateAsync(w, $"broken: {WorkerProcess.MaxGarbageInARow} lines of garbage on stdout", ActionKinds.Kill, ct);
        }
    }

    /// <summary>Handles every worker whose process has ended: its chunks go back at once, and it is replaced if it should be.</summary>
    public async Task<int> ReapAsync(CancellationToken ct)
    {
        var gone = m.Live().Where(w => w.Exited.IsCompleted).ToList();
        foreach (var w in gone)
        {
            // Let the readers drain what the process said last (its final stderr lines).
            await Task.Delay(TimeSpan.FromMilliseconds(20), m.Time, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            var planned = w.EndingReason is not null;
            var reason = w.EndingReason ?? $"died: exit code {w.ExitCode}";
            // The process is gone, so what its file says it was running is final: only those chunks count its death,
            // and none does when the monitor itself ended it.
            IReadOnlyCollection<long>? running = w.EndedBySystem ? [] : w.RunningFile is { } file ? RunningFile.Read(file) : null;
            await ReclaimAsync(w.Id, $"worker {w.Id} {reason}", ct, running);
            if (w.RunningFile is { } done)
            {
                RunningFiles.Delete(done);
            }

            await m.Store.WorkerUpdateManyAsync(
                new WorkerUpdateManyParams([new WorkerUpdate(w.Id, WorkerState.Exited, null, 0, 0, 0, w.StderrTail, reason)], m.Time.GetUtcNow()),
                ct);
            await m.Store.ThroughputAddAsync(new ThroughputAddParams(w.TakeSamples()), ct);
            m.Remove(w);
            LogExited(m.Logger, w.Id, w.Type, w.Pid, reason);
            if (!planned && w.Committed)
            {
                await m.ActAsync(ActionKinds.Died, $"{w.Type} worker pid {w.Pid} {reason} after committing work; replaced at once; last stderr: {Last(w, 3)}", ct, w.Id);
                await TypeWorkedAsync(w, ct);
            }
            else if (!planned)
            {
                await m.ActAsync(ActionKinds.Died, $"{w.Type} worker pid {w.Pid} {reason}; last stderr: {Last(w, 3)}", ct, w.Id);
                await TypeDiedAsync(w.Type, w.StderrTail, ct);
            }
            else
            {
                await m.ActAsync(ActionKinds.Exit, $"{w.Type} worker pid {w.Pid} exited (code {w.ExitCode}): {reason}", ct, w.Id);
                if (w.ReplaceWhenGone)
                {
                    await StartAsync(w.Type, $"replacing worker {w.Id} ({reason})", ct, w.Restarts + 1);
                }
            }
        }

        return gone.Count;
    }

    /// <param name="running">The chunks it was running, which alone count its death; null if not known (then all do).</param>
    public Task ReclaimAsync(long workerId, string reason, CancellationToken ct, IReadOnlyCollection<long>? running = null)
    {
        var quarantineAfter = m.Options.QuarantineAfter;
        var now = m.Time.GetUtcNow();
        // Each return is logged in the transaction that makes it: a monitor killed in between leaves no chunk
        // returned that the log does not explain.
        return m.Store.ChunkReclaimByWorkerAsync(
            new ChunkReclaimByWorkerParams(workerId, reason, now, quarantineAfter, running, Log: chunks => Explain(chunks, workerId, reason, quarantineAfter, now)),
            ct);
    }

    private IEnumerable<ActionInsertParams> Explain(IReadOnlyList<ReclaimedChunk> chunks, long workerId, string reason, int quarantineAfter, DateTimeOffset now)
    {
        foreach (var r in chunks.Where(r => r.DeathCounted))
        {
            yield return r.State == ChunkState.Quarantined
                ? m.Entry(ActionKinds.Quarantine, $"chunk killed its worker {quarantineAfter} times in a row without progress ({reason})", now, workerId, r.JobId, r.ChunkId)
                : m.Entry(ActionKinds.Reclaim, reason, now, workerId, r.JobId, r.ChunkId);
        }

        if (chunks.Count(r => !r.DeathCounted) is > 0 and var returned)
        {
            // One line for them all: a worker of quick chunks may have held a thousand.
            yield return m.Entry(ActionKinds.Reclaim, $"{returned} chunk(s) claimed ahead or finished but not committed, returned without a death ({reason})", now, workerId);
        }
    }

    /// <summary>Asks every worker to stop, waits out the grace, kills what is left and reaps it all.</summary>
    public async Task ShutdownAsync()
    {
        foreach (var w in m.Live())
        {
            await StopAsync(w, "monitor stopping", CancellationToken.None);
        }

        var deadline = m.TimestampAfter(m.Options.StopGrace);
        while (m.Live().Count > 0 && m.Time.GetTimestamp() < deadline)
        {
            await ReapAsync(CancellationToken.None);
            await m.Signal.WaitAsync(TimeSpan.FromMilliseconds(100), CancellationToken.None);
        }

        foreach (var w in m.Live())
        {
            w.Kill();
        }

        await Task.WhenAll(m.Live().Select(w => w.Exited.WaitAsync(TimeSpan.FromSeconds(5), m.Time).ContinueWith(_ => { }, TaskScheduler.Default)));
        await ReapAsync(CancellationToken.None);
    }

    private async Task TypeDiedAsync(string type, string note, CancellationToken ct)
    {
        var tracker = m.Tracker(type);
        var became = tracker.Died();
        await m.ActAsync(ActionKinds.Backoff, $"{type}: next start in {tracker.Delay.TotalSeconds:0.0} s", ct);
        if (became)
        {
            await m.ActAsync(ActionKinds.CrashLoop, $"{type}: {m.Options.CrashLoopDeaths} deaths within {m.Options.CrashLoopWindow.TotalSeconds:0} s; last stderr: {note}", ct);
            await m.Store.WorkerTargetHealthAsync(new WorkerTargetHealthParams(m.Options.Node, type, true, note, m.Time.GetUtcNow()), ct);
        }
    }

    private async Task TypeWorkedAsync(WorkerProcess w, CancellationToken ct)
    {
        if (m.Tracker(w.Type).DiedAfterWork())
        {
            await m.Store.WorkerTargetHealthAsync(new WorkerTargetHealthParams(m.Options.Node, w.Type, false, null, m.Time.GetUtcNow()), ct);
            await m.ActAsync(ActionKinds.Recovered, $"{w.Type}: a worker committed work before it died; no longer crash-looping", ct, w.Id);
        }
    }

    private static string Ms(TimeSpan span) => ((long)span.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

    private static string Last(WorkerProcess w, int lines)
    {
        var all = w.StderrTail.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return all.Length == 0 ? "(none)" : string.Join(" | ", all.TakeLast(lines));
    }

    [LoggerMessage(2001, LogLevel.Information, "Started worker {WorkerId} ({Type}) pid {Pid}: {Reason}")]
    private static partial void LogStarted(ILogger logger, long workerId, string type, int pid, string reason);

    [LoggerMessage(2002, LogLevel.Information, "Worker {WorkerId} ({Type}) pid {Pid} gone: {Reason}")]
    private static partial void LogExited(ILogger logger, long workerId, string type, int pid, string reason);

    [LoggerMessage(2006, LogLevel.Warning, "Could not make the running file of worker {WorkerId}; its death will count for every chunk it holds")]
    private static partial void LogRunningFileFailed(ILogger logger, Exception ex, long workerId);
}
