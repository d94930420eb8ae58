using System.Collections.Concurrent;
using HeavyJobs.Core.Handlers;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Actions;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Runtime.Monitor;

/// <summary>
/// Kills and replaces hung workers: silent past <see cref="MonitorOptions.HungAfter"/> (longer while idle), or
/// busy without progress past their type's stall timeout. Logged as <see cref="ActionKinds.Hung"/>.
/// </summary>
/// <remarks>
/// It looks on a loop of its own and kills from what the pipes said, never waiting on the store: on SQLite a worker
/// frozen inside a write transaction holds every writer of the machine, the monitor's loop included, until it is
/// killed, so a look that came after the loop's writes never came (the loop retried its heartbeat for minutes).
/// The loop logs the kills it finds here (<see cref="LogFoundAsync"/>) and reaps the workers as it reaps any exit.
/// </remarks>
internal sealed partial class HangDetector(MonitorContext m, Heartbeats heartbeats)
{
    private readonly ConcurrentQueue<(WorkerProcess Worker, string Why)> _found = new();

    /// <summary>Looks for hung workers every heartbeat period until <paramref name="ct"/> is cancelled.</summary>
    public async Task WatchAsync(CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(heartbeats.Period(), m.Time, ct);
                Look();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>Kills every worker hung at this instant and wakes the loop to log and reap them; no store call.</summary>
    internal void Look()
    {
        var now = m.Time.GetTimestamp();
        foreach (var w in m.Live())
        {
            if (w.EndingReason is null && Why(w, now) is { } why && w.TryEnd(why, replace: true))
            {
                LogHung(m.Logger, w.Id, why);
                w.Kill();
                _found.Enqueue((w, why));
                m.Signal.Release();
            }
        }
    }

    /// <summary>Writes the action-log entries of the kills found since the last call; run by the loop.</summary>
    public async Task LogFoundAsync(CancellationToken ct)
    {
        while (_found.TryPeek(out var found))
        {
            await m.ActAsync(ActionKinds.Hung, $"{found.Why} (process group of pid {found.Worker.Pid} killed)", ct, found.Worker.Id);
            _found.TryDequeue(out _);
        }
    }

    /// <summary>Why the worker is hung at <paramref name="now"/>, or null; internal so that tests can hold it to the defaults with a fake clock.</summary>
    internal string? Why(WorkerProcess w, long now)
    {
        var silent = m.Time.GetElapsedTime(w.LastHeartbeatTs, now);
        if (silent >= (w.State == WorkerState.Idle ? m.Options.IdleHungAfter : m.Options.HungAfter))
        {
            return $"no heartbeat for {silent.TotalSeconds:0} s";
        }

        var stall = m.Options.StallTimeout ?? (m.Registry.Contains(w.Type) ? m.Registry.Get(w.Type).Options.StallTimeout : HandlerDefaults.StallTimeout);
        var still = m.Time.GetElapsedTime(w.LastProgressTs, now);
        return w.State == WorkerState.Busy && still >= stall
            ? $"no progress for {still.TotalSeconds:0} s while busy on chunk {string.Join(",", w.Chunks)} (stall timeout {stall.TotalSeconds:0} s)"
            : null;
    }

    [LoggerMessage(2003, LogLevel.Warning, "Worker {WorkerId} hung: {Why}; killing and replacing it")]
    private static partial void LogHung(ILogger logger, long workerId, string why);
}
