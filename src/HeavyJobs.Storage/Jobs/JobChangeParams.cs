namespace HeavyJobs.Storage.Jobs;

/// <summary>Cancel, pause or resume a job; the change cascades to every stage's chunks.</summary>
public sealed record JobChangeParams(long JobId, DateTimeOffset Now);

public sealed record JobFinishParams(DateTimeOffset Now);
