namespace HeavyJobs.Storage.Schedules;

/// <summary>What a schedule does when runs were missed (the manager was down).</summary>
public static class CatchUp
{
    /// <summary>Missed runs collapse into one run as soon as the manager is back. The default.</summary>
    public const string Once = "once";

    /// <summary>Missed runs are dropped; the next run is the next occurrence after now.</summary>
    public const string SkipMissed = "skip";

    public static bool IsKnown(string value) => value is Once or SkipMissed;
}

/// <summary>A recurring job: a cron expression and the job definition (JSON) it submits.</summary>
public sealed record ScheduleRow(
    long Id,
    string Name,
    string Cron,
    string Definition,
    string CatchUp,
    bool Enabled,
    DateTimeOffset NextRunAt,
    DateTimeOffset? LastRunAt,
    long? LastJobId);

public sealed record ScheduleUpsertParams(string Name, string Cron, string Definition, string CatchUp, DateTimeOffset NextRunAt, DateTimeOffset Now);

/// <summary>Records that a schedule fired (or was skipped) and when it fires next.</summary>
/// <param name="Due">When set, the schedule moves on only if this run is still the one due (another manager did not move it).</param>
/// <param name="Log">Why it moved on (a run skipped, or with nothing to do), logged in the same transaction, and only if it moved.</param>
public sealed record ScheduleAdvanceParams(long Id, DateTimeOffset NextRunAt, DateTimeOffset? RanAt, long? JobId, DateTimeOffset? Due = null, Actions.ActionInsertParams? Log = null);
