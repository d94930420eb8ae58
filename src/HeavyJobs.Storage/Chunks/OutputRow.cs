namespace HeavyJobs.Storage.Chunks;

public sealed record OutputRow(long Id, long JobId, long ChunkId, int Stage, string Key, string Data, DateTimeOffset CreatedAt);

public sealed record OutputListParams(long JobId, int? Stage = null, long? AfterId = null, int Limit = 10_000, long? ChunkId = null);
