namespace HeavyJobs.Storage.Pipelines;

/// <summary>What the manager has to look at soon, read in one statement so an idle fleet costs next to nothing.</summary>
/// <param name="ActiveJobs">Some job is active or paused: its stages may need releasing and it may need rolling up.</param>
/// <param name="NextScheduleAt">The earliest next run of an enabled schedule.</param>
/// <param name="NextLeaseExpiry">The earliest lease expiry of a held chunk.</param>
public sealed record ManagerAgenda(bool ActiveJobs, DateTimeOffset? NextScheduleAt, DateTimeOffset? NextLeaseExpiry);
