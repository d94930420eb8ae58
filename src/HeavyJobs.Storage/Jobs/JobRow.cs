using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;

namespace HeavyJobs.Storage.Jobs;

public sealed record JobRow(
    long Id,
    string Name,
    JobState State,
    IReadOnlyList<StageDefinition> Stages,
    string Parameters,
    int Priority,
    int MaxAttempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? FinishedAt);
