using HeavyJobs.Runtime.Manager;
using Microsoft.Extensions.Options;

namespace HeavyJobs.Runtime.Hosting;

/// <summary>Checks <see cref="ManagerOptions"/> when the host starts; every failure names its option.</summary>
public sealed class ManagerOptionsValidator : IValidateOptions<ManagerOptions>
{
    public ValidateOptionsResult Validate(string? name, ManagerOptions o) =>
        new OptionChecks(ManagerOptions.Section)
            .Positive(nameof(o.Tick), o.Tick)
            .Positive(nameof(o.IdleSleep), o.IdleSleep)
            .Positive(nameof(o.ReclaimInterval), o.ReclaimInterval)
            .Positive(nameof(o.RollupInterval), o.RollupInterval)
            .Positive(nameof(o.IdleRollupInterval), o.IdleRollupInterval)
            .AtLeast(nameof(o.MissedBeats), o.MissedBeats, 1)
            .AtLeast(nameof(o.MissedBeatsWhileConnected), o.MissedBeatsWhileConnected, 1)
            .Rule(o.LeaderLockIdle >= TimeSpan.FromSeconds(3), $"{ManagerOptions.Section}:{nameof(o.LeaderLockIdle)} must be at least 3 seconds (it was {o.LeaderLockIdle})")
            .Positive($"{nameof(o.Retention)}:{nameof(o.Retention.Interval)}", o.Retention.Interval)
            .Positive($"{nameof(o.Retention)}:{nameof(o.Retention.FinishedJobs)}", o.Retention.FinishedJobs)
            .Positive($"{nameof(o.Retention)}:{nameof(o.Retention.Actions)}", o.Retention.Actions)
            .Positive($"{nameof(o.Retention)}:{nameof(o.Retention.ThroughputMinutes)}", o.Retention.ThroughputMinutes)
            .Positive($"{nameof(o.Retention)}:{nameof(o.Retention.ExitedWorkers)}", o.Retention.ExitedWorkers)
            .Positive($"{nameof(o.Retention)}:{nameof(o.Retention.TakenCommands)}", o.Retention.TakenCommands)
            .AtLeast($"{nameof(o.Retention)}:{nameof(o.Retention.Batch)}", o.Retention.Batch, 1)
            .NotNegative($"{nameof(o.Retention)}:{nameof(o.Retention.BatchPause)}", o.Retention.BatchPause)
            .Result();
}
