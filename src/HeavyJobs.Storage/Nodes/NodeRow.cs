namespace HeavyJobs.Storage.Nodes;

/// <summary>A machine, as its monitor registers and heartbeats it.</summary>
public sealed record NodeRow(string Name, string BootId, string Version, int Capacity, DateTimeOffset StartedAt, DateTimeOffset HeartbeatAt);

public sealed record NodeUpsertParams(string Name, string BootId, string Version, int Capacity, DateTimeOffset Now);
