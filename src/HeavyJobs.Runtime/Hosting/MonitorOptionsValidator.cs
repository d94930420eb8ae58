using HeavyJobs.Runtime.Monitor;
using Microsoft.Extensions.Options;

namespace HeavyJobs.Runtime.Hosting;

/// <summary>Checks <see cref="MonitorOptions"/> when the host starts; every failure names its option.</summary>
public sealed class MonitorOptionsValidator : IValidateOptions<MonitorOptions>
{
    public const string Section = "HeavyJobs:Monitor";

    public ValidateOptionsResult Validate(string? name, MonitorOptions o)
    {
        var c = new OptionChecks(Section)
            .NotEmpty(nameof(o.Node), o.Node)
            .NotEmpty(nameof(o.Db), o.Db)
            .Rule(MachineNames.IsValid(o.Node), $"{Section}:{nameof(o.Node)} '{o.Node}' {MachineNames.Rule}")
            .Positive(nameof(o.MachineHeartbeat), o.MachineHeartbeat)
            .Positive(nameof(o.HeartbeatInterval), o.HeartbeatInterval)
            .Positive(nameof(o.WorkerRowRefresh), o.WorkerRowRefresh)
            .Positive(nameof(o.Lease), o.Lease)
            .Positive(nameof(o.HungAfter), o.HungAfter)
            .NotNegative(nameof(o.StopGrace), o.StopGrace)
            .NotNegative(nameof(o.RestartBackoffBase), o.RestartBackoffBase)
            .NotNegative(nameof(o.RestartBackoffCap), o.RestartBackoffCap)
            .AtLeast(nameof(o.CrashLoopDeaths), o.CrashLoopDeaths, 1)
            .Positive(nameof(o.CrashLoopWindow), o.CrashLoopWindow)
            .AtLeast(nameof(o.QuarantineAfter), o.QuarantineAfter, 1)
            .Positive(nameof(o.IdleProbeInterval), o.IdleProbeInterval)
            .AtLeast(nameof(o.StderrLines), o.StderrLines, 0)
            .AtLeast(nameof(o.WorkerGen0Budget), o.WorkerGen0Budget, 0)
            .AtLeast(nameof(o.WorkerStoreConnections), o.WorkerStoreConnections, 1)
            .Positive(nameof(o.WorkerHeartbeat), o.WorkerHeartbeat)
            .Positive(nameof(o.WorkerIdleHeartbeat), o.WorkerIdleHeartbeat);
        if (o.StallTimeout is { } stall)
        {
            c.Positive(nameof(o.StallTimeout), stall);
        }

        return c.Rule(
                o.Lease >= o.HeartbeatInterval * 3,
                $"{c.Key(nameof(o.Lease))} ({o.Lease.TotalSeconds:0.###} s) must be at least three heartbeats (3 × {c.Key(nameof(o.HeartbeatInterval))} = {(o.HeartbeatInterval * 3).TotalSeconds:0.###} s), so that a busy chunk is never lost between two")
            .Result();
    }
}
