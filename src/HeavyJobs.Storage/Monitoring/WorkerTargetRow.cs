namespace HeavyJobs.Storage.Monitoring;

/// <summary>How many workers of a type should run on a machine, and whether that type is crash-looping there.</summary>
public sealed record WorkerTargetRow(string Node, string Type, int Count, bool CrashLooping, string? Note, DateTimeOffset UpdatedAt);

public sealed record WorkerTargetSetParams(string Node, string Type, int Count, DateTimeOffset Now);

/// <summary>The monitor's own report on a type: crash-looping or not, and why.</summary>
public sealed record WorkerTargetHealthParams(string Node, string Type, bool CrashLooping, string? Note, DateTimeOffset Now);
