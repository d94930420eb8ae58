using HeavyJobs.Storage.Actions;

namespace HeavyJobs.Storage.Pipelines;

/// <summary>A barrier stage whose earlier stages finished: its waiting chunks became pending (or its one chunk was created).</summary>
public sealed record StageReleased(long JobId, int Stage, string Name, long Chunks, bool Created);

/// <param name="Log">The action that explains each release, logged in the same transaction.</param>
public sealed record JobAdvanceParams(DateTimeOffset Now, Func<StageReleased, ActionInsertParams>? Log = null);
