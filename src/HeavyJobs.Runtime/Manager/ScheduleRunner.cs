using Cronos;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Runtime.Jobs;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Schedules;

namespace HeavyJobs.Runtime.Manager;

/// <summary>Submits the job of a schedule's run; the insert moves the schedule on in the same transaction.</summary>
public delegate Task<long> ScheduledSubmit(JobDefinition definition, string source, ScheduleFire fire, CancellationToken cancellationToken);

/// <summary>
/// Fires recurring jobs by cron expression (UTC). A schedule never starts a run while its previous run still
/// goes (it skips that occurrence and says so in the action log). After downtime, "once" runs the missed work
/// once as soon as the manager is back; "skip" waits for the next occurrence.
/// </summary>
public sealed class ScheduleRunner(IMaintenanceStore store, ScheduledSubmit submit)
{
    /// <summary>A run this late counts as missed (for the "skip" policy). The default value is 1 minute.</summary>
    public static readonly TimeSpan MissedAfter = TimeSpan.FromMinutes(1);

    public static DateTimeOffset NextOccurrence(string cron, DateTimeOffset after) =>
        CronExpression.Parse(cron).GetNextOccurrence(after, TimeZoneInfo.Utc)
        ?? throw new CronFormatException($"'{cron}' never fires: no date matches it (such as February 30)");

    /// <summary>Adds or replaces a schedule; validates the cron expression and the job definition first.</summary>
    public static async Task<long> UpsertAsync(IOperatorStore store, string name, string cron, string definitionJson, string catchUp, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!CatchUp.IsKnown(catchUp))
        {
            throw new JobDefinitionException($"schedule {name}", "catchUp", $"must be '{CatchUp.Once}' or '{CatchUp.SkipMissed}'");
        }

        DateTimeOffset next;
        try
        {
            next = NextOccurrence(cron, now);
        }
        catch (CronFormatException ex)
        {
            throw new JobDefinitionException($"schedule {name}", "cron", ex.Message);
        }

        JobDefinitionParser.Parse(definitionJson, $"schedule {name}", yaml: false);
        return await store.ScheduleUpsertAsync(new ScheduleUpsertParams(name, cron, definitionJson, catchUp, next, now), cancellationToken);
    }

    /// <summary>Runs every schedule that is due at <paramref name="now"/>; returns the jobs it submitted.</summary>
    public async Task<IReadOnlyList<long>> TickAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var submitted = new List<long>();
        foreach (var s in await store.ScheduleListAsync(cancellationToken))
        {
            if (!s.Enabled || s.NextRunAt > now)
            {
                continue;
            }

            var next = NextOccurrence(s.Cron, now);
            if (s.LastJobId is { } last && await store.JobGetAsync(last, cancellationToken) is { State: JobState.Active or JobState.Paused })
            {
                await store.ScheduleAdvanceAsync(
                    new ScheduleAdvanceParams(s.Id, next, null, null, s.NextRunAt, Log(ActionKinds.ScheduleSkip, $"{s.Name}: run due at {s.NextRunAt:u} skipped, job {last} still runs", now, last)),
                    cancellationToken);
                continue;
            }

            if (s.CatchUp == CatchUp.SkipMissed && now - s.NextRunAt > MissedAfter)
            {
                await store.ScheduleAdvanceAsync(
                    new ScheduleAdvanceParams(s.Id, next, null, null, s.NextRunAt, Log(ActionKinds.ScheduleSkip, $"{s.Name}: run due at {s.NextRunAt:u} missed (catch-up: skip); next at {next:u}", now, null)),
                    cancellationToken);
                continue;
            }

            var definition = JobDefinitionParser.Parse(s.Definition, $"schedule {s.Name}", yaml: false);
            long job;
            try
            {
                var fire = new ScheduleFire(s.Id, s.NextRunAt, next, id => Log(ActionKinds.ScheduleRun, $"{s.Name}: submitted job {id} (due {s.NextRunAt:u}); next at {next:u}", now, id));
                job = await submit(definition, $"schedule {s.Name}", fire, cancellationToken);
            }
            catch (ScheduleAlreadyFiredException)
            {
                // Another manager fired this run (it led a moment ago): one job per due time.
                continue;
            }
            catch (Exception ex) when (ex is NothingToRunException or JobDefinitionException)
            {
                // A run with nothing to do (or whose input went away) is skipped and said; the schedule goes on.
                var why = Log(ex is NothingToRunException ? ActionKinds.ScheduleIdle : ActionKinds.ScheduleError, $"{s.Name}: {ex.Message}; next at {next:u}", now, null);
                await store.ScheduleAdvanceAsync(new ScheduleAdvanceParams(s.Id, next, now, null, s.NextRunAt, why), cancellationToken);
                continue;
            }

            submitted.Add(job);
        }

        return submitted;
    }

    /// <summary>What a run did, logged by the store in the transaction that moves the schedule on, so it is logged once.</summary>
    private static ActionInsertParams Log(string kind, string reason, DateTimeOffset now, long? job) =>
        new(HeavyManager.Actor, kind, reason, now, JobId: job);
}
