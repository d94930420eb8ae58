namespace HeavyJobs.Core.Definitions;

/// <summary>How a job's input becomes chunks.</summary>
public abstract record ChunkSplit
{
    private ChunkSplit()
    {
    }

    /// <summary>Integers [Start, End) in slices of Size: each chunk's input is {"start":a,"end":b}.</summary>
    public sealed record Range(long Start, long End, long Size) : ChunkSplit;

    /// <summary>A list of keys in groups of Size: each chunk's input is {"keys":[...]}.</summary>
    public sealed record Keys(IReadOnlyList<string> Items, int Size) : ChunkSplit;

    /// <summary>The lines of a file, read at submit time, in groups of Size: each chunk's input is {"keys":[...]}.</summary>
    public sealed record KeysFile(string Path, int Size) : ChunkSplit;

    /// <summary>
    /// A file in line-aligned byte slices of about Bytes each: each chunk's input is
    /// {"path":p,"offset":o,"length":n}. The file is read by the handler, not stored.
    /// </summary>
    public sealed record FileSlices(string Path, long Bytes) : ChunkSplit;

    /// <summary>
    /// The keys of a stored key set that were never refreshed or not within <paramref name="OlderThan"/>, read at
    /// submit time (at most <paramref name="Limit"/>), in groups of Size: each chunk's input is {"keys":[...]}.
    /// Handlers mark the keys they refreshed, so the next run takes only what went stale since.
    /// </summary>
    public sealed record StaleKeys(string Set, TimeSpan OlderThan, int Size, int Limit) : ChunkSplit;

    /// <summary>Explicit chunk inputs, one JSON value each.</summary>
    public sealed record Inputs(IReadOnlyList<string> Items) : ChunkSplit;
}
