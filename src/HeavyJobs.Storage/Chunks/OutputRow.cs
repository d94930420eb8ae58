namespace HeavyJobs.Storage.Chunks;

public sealed record OutputRow(long Id, long JobId, long ChunkId, int Stage, string Key, string Data, DateTimeOffset CreatedAt);

/// <param name="Keys">Only outputs with these keys (null: all); at most <see cref="MaxKeys"/>.</param>
public sealed record OutputListParams(long JobId, int? Stage = null, long? AfterId = null, int Limit = 10_000, long? ChunkId = null, IReadOnlyList<string>? Keys = null)
{
    /// <summary>The most keys one read may name.</summary>
    public const int MaxKeys = 10_000;
}
