using HeavyJobs.Storage.Actions;

namespace HeavyJobs.Storage.Fleet;

/// <summary>How many workers of a type should run over the whole fleet.</summary>
public sealed record FleetTargetRow(string Type, int Count, DateTimeOffset UpdatedAt);

/// <param name="Log">The action that explains the change, logged in its transaction.</param>
public sealed record FleetTargetSetParams(string Type, int Count, DateTimeOffset Now, ActionInsertParams? Log = null);

/// <summary>The manager's spread of fleet targets: one machine's count of a type (not pinned by an operator).</summary>
public sealed record SpreadTarget(string Node, string Type, int Count);

/// <param name="Log">The actions that explain the spread, logged in its transaction if it changed a target.</param>
public sealed record WorkerTargetSpreadParams(IReadOnlyList<SpreadTarget> Targets, DateTimeOffset Now, IReadOnlyList<ActionInsertParams>? Log = null);

/// <summary>An operator hands a machine's count of a type back to the fleet spread.</summary>
/// <param name="Log">The action that explains the change, logged in its transaction.</param>
public sealed record WorkerTargetUnpinParams(string Node, string Type, DateTimeOffset Now, ActionInsertParams? Log = null);

/// <summary>A manager that just took the leader's lock starts a new epoch.</summary>
/// <param name="Log">The action that says so, from the new epoch, logged in the same transaction.</param>
public sealed record LeaderTakeParams(string Holder, DateTimeOffset Now, Func<long, ActionInsertParams>? Log = null);

/// <summary>Who leads, since when, under which epoch.</summary>
public sealed record LeaderRow(long Epoch, string Holder, DateTimeOffset Since);
