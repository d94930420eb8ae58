using HeavyJobs.Storage.Pipelines;

namespace HeavyJobs.Runtime.Manager;

/// <summary>Fires the schedules that are due (<see cref="ScheduleRunner"/>).</summary>
public sealed class ScheduleDuty(ScheduleRunner runner, ManagerOptions options) : IManagerDuty
{
    public async Task<DateTimeOffset?> RunAsync(ManagerAgenda agenda, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (agenda.NextScheduleAt is not { } next)
        {
            return null;
        }

        if (next > now)
        {
            return next;
        }

        await runner.TickAsync(now, cancellationToken);
        return now + options.Tick;
    }
}
