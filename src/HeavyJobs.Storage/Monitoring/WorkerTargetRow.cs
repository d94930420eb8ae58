using HeavyJobs.Storage.Actions;

namespace HeavyJobs.Storage.Monitoring;

/// <summary>How many workers of a type should run on a machine, and whether that type is crash-looping there.</summary>
/// <param name="Pinned">Set for this machine by an operator (it wins over the fleet spread); false when the manager spread it.</param>
public sealed record WorkerTargetRow(string Node, string Type, int Count, bool CrashLooping, string? Note, DateTimeOffset UpdatedAt, bool Pinned = true);

/// <param name="Log">The action that explains the change, logged in its transaction.</param>
public sealed record WorkerTargetSetParams(string Node, string Type, int Count, DateTimeOffset Now, ActionInsertParams? Log = null);

/// <summary>The monitor's own report on a type: crash-looping or not, and why.</summary>
public sealed record WorkerTargetHealthParams(string Node, string Type, bool CrashLooping, string? Note, DateTimeOffset Now);
