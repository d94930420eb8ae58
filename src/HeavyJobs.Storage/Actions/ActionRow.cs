namespace HeavyJobs.Storage.Actions;

/// <summary>Something the system did by itself, or an operator did: who, what, to what, and why.</summary>
public sealed record ActionRow(
    long Id,
    DateTimeOffset At,
    string Actor,
    string Kind,
    string? Node,
    long? WorkerId,
    long? JobId,
    long? ChunkId,
    string Reason);

public sealed record ActionInsertParams(
    string Actor,
    string Kind,
    string Reason,
    DateTimeOffset Now,
    string? Node = null,
    long? WorkerId = null,
    long? JobId = null,
    long? ChunkId = null);

public sealed record ActionListParams(
    int Limit = 100,
    long? BeforeId = null,
    string? Kind = null,
    string? Node = null,
    long? WorkerId = null,
    long? ChunkId = null,
    long? JobId = null);
