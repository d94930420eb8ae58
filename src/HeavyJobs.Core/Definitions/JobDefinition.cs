using System.Text.Json;

namespace HeavyJobs.Core.Definitions;

/// <summary>A job as a user submits it: what runs it, with which parameters, and how its input is split.</summary>
public sealed record JobDefinition(
    string Name,
    IReadOnlyList<StageDefinition> Stages,
    JsonElement Parameters,
    ChunkSplit Split,
    int Priority,
    int MaxAttempts)
{
    public const int MaxNameLength = 200;
}

/// <summary>One stage of a job; a single-stage job has one.</summary>
/// <param name="Name">Shown to operators (fetch, parse, aggregate).</param>
/// <param name="Type">The handler type key that runs the stage's chunks.</param>
/// <param name="Mode">Whether the stage runs as soon as its chunks exist, or waits for every earlier stage.</param>
public sealed record StageDefinition(string Name, string Type, StageMode Mode);

public enum StageMode
{
    Streaming,
    Barrier,
}
