using HeavyJobs.Core.Definitions;

namespace HeavyJobs.Storage.Jobs;

/// <param name="Name">Shown to operators.</param>
/// <param name="Stages">The job's stages; the chunks given here belong to stage 0.</param>
/// <param name="Parameters">The job's parameters as JSON.</param>
/// <param name="ChunkInputs">The input of each first-stage chunk, as JSON, in order.</param>
/// <param name="KeySet">The key set a refresh job was cut from; its checkpoints mark keys fresh there.</param>
public sealed record JobInsertParams(
    string Name,
    IReadOnlyList<StageDefinition> Stages,
    string Parameters,
    IEnumerable<string> ChunkInputs,
    int Priority,
    int MaxAttempts,
    DateTimeOffset Now,
    string? KeySet = null);

public sealed record JobInserted(long JobId, long ChunkCount);
