using HeavyJobs.Core.Handlers;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Actions;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Runtime.Monitor;

/// <summary>
/// Kills and replaces hung workers: silent past <see cref="MonitorOptions.HungAfter"/> (longer while idle), or
/// busy without progress past their type's stall timeout. Logged as <see cref="ActionKinds.Hung"/>.
/// </summary>
internal sealed partial class HangDetector(MonitorContext m, WorkerSupervisor supervisor)
{
    public async Task DetectAsync(CancellationToken ct)
    {
        var now = m.Time.GetTimestamp();
        foreach (var w in m.Live().Where(w => w.EndingReason is null).ToList())
        {
            if (Why(w, now) is { } why)
            {
                LogHung(m.Logger, w.Id, why);
                w.ReplaceWhenGone = true;
                await supervisor.TerminateAsync(w, why, ActionKinds.Hung, ct);
            }
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
