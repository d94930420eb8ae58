namespace HeavyJobs.Storage.Chunks;

/// <summary>Claims up to <paramref name="Max"/> chunks of the given types: partly done first, then priority, then age.</summary>
public sealed record ChunkClaimParams(long WorkerId, IReadOnlyList<string> Types, int Max, DateTimeOffset Now, TimeSpan Lease);
