namespace HeavyJobs.Storage.Pipelines;

/// <summary>A barrier stage whose earlier stages finished: its waiting chunks became pending (or its one chunk was created).</summary>
public sealed record StageReleased(long JobId, int Stage, string Name, long Chunks, bool Created);

public sealed record JobAdvanceParams(DateTimeOffset Now);
