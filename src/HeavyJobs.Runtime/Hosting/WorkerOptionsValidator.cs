using HeavyJobs.Runtime.Worker;
using Microsoft.Extensions.Options;

namespace HeavyJobs.Runtime.Hosting;

/// <summary>Checks <see cref="WorkerOptions"/> when the host starts; every failure names its option.</summary>
public sealed class WorkerOptionsValidator : IValidateOptions<WorkerOptions>
{
    public const string Section = "HeavyJobs:Worker";

    public ValidateOptionsResult Validate(string? name, WorkerOptions o)
    {
        var c = new OptionChecks(Section)
            .AtLeast(nameof(o.Concurrency), o.Concurrency, 1)
            .Positive(nameof(o.Lease), o.Lease)
            .Positive(nameof(o.HeartbeatInterval), o.HeartbeatInterval)
            .Positive(nameof(o.IdleHeartbeatInterval), o.IdleHeartbeatInterval)
            .Positive(nameof(o.IdleFallbackPoll), o.IdleFallbackPoll)
            .NotNegative(nameof(o.StopGrace), o.StopGrace)
            .NotNegative(nameof(o.PrefetchWindow), o.PrefetchWindow)
            .AtLeast(nameof(o.MaxClaim), o.MaxClaim, 1)
            .AtLeast(nameof(o.CompletionBatch), o.CompletionBatch, 1)
            .NotNegative(nameof(o.CompletionFlushInterval), o.CompletionFlushInterval)
            .NotNegative(nameof(o.WriteBehindUnder), o.WriteBehindUnder)
            .AtLeast(nameof(o.KeptCheckpoints), o.KeptCheckpoints, 0);
        return c.Rule(
                o.Lease >= o.HeartbeatInterval * 3,
                $"{c.Key(nameof(o.Lease))} ({o.Lease.TotalSeconds:0.###} s) must be at least three heartbeats (3 × {c.Key(nameof(o.HeartbeatInterval))} = {(o.HeartbeatInterval * 3).TotalSeconds:0.###} s)")
            .Result();
    }
}
