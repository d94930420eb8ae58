namespace HeavyJobs.Core.Model;

/// <summary>How much of a chunk is done: items processed, and of those how many gave a good or a bad record.</summary>
public readonly record struct ChunkCounters(long Done, long Good, long Bad)
{
    public static ChunkCounters Zero => default;

    public static ChunkCounters operator +(ChunkCounters a, ChunkCounters b) =>
        new(a.Done + b.Done, a.Good + b.Good, a.Bad + b.Bad);

    public static ChunkCounters operator -(ChunkCounters a, ChunkCounters b) =>
        new(a.Done - b.Done, a.Good - b.Good, a.Bad - b.Bad);

    public bool IsZero => Done == 0 && Good == 0 && Bad == 0;
}
