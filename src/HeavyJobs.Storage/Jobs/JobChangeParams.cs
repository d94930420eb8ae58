using HeavyJobs.Storage.Actions;

namespace HeavyJobs.Storage.Jobs;

/// <summary>Cancel, pause or resume a job; the change cascades to every stage's chunks.</summary>
/// <param name="Log">The action that explains the change, logged in its transaction if the job changed.</param>
public sealed record JobChangeParams(long JobId, DateTimeOffset Now, ActionInsertParams? Log = null);

public sealed record JobFinishParams(DateTimeOffset Now);
