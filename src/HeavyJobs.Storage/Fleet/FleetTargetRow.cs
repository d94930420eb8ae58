namespace HeavyJobs.Storage.Fleet;

/// <summary>How many workers of a type should run over the whole fleet.</summary>
public sealed record FleetTargetRow(string Type, int Count, DateTimeOffset UpdatedAt);

public sealed record FleetTargetSetParams(string Type, int Count, DateTimeOffset Now);

/// <summary>The manager's spread of fleet targets: one machine's count of a type (not pinned by an operator).</summary>
public sealed record SpreadTarget(string Node, string Type, int Count);

public sealed record WorkerTargetSpreadParams(IReadOnlyList<SpreadTarget> Targets, DateTimeOffset Now);

/// <summary>An operator hands a machine's count of a type back to the fleet spread.</summary>
public sealed record WorkerTargetUnpinParams(string Node, string Type, DateTimeOffset Now);

/// <summary>A manager that just took the leader's lock starts a new epoch.</summary>
public sealed record LeaderTakeParams(string Holder, DateTimeOffset Now);

/// <summary>Who leads, since when, under which epoch.</summary>
public sealed record LeaderRow(long Epoch, string Holder, DateTimeOffset Since);
