namespace HeavyJobs.Storage.Nodes;

/// <summary>A machine, as its monitor registers and heartbeats it.</summary>
/// <param name="State">'up', or 'dead' once the leading manager gave up on its heartbeats and freed its work.</param>
/// <param name="Drained">No workers run there (cordoned); running ones checkpoint and leave.</param>
/// <param name="Pid">The process id of the monitor that holds the machine's name.</param>
/// <param name="Host">The host name that monitor runs on.</param>
/// <param name="Beat">How often that monitor promised to heartbeat.</param>
public sealed record NodeRow(
    string Name,
    string BootId,
    string Version,
    int Capacity,
    DateTimeOffset StartedAt,
    DateTimeOffset HeartbeatAt,
    string State = NodeStates.Up,
    bool Drained = false,
    int Pid = 0,
    string Host = "",
    TimeSpan Beat = default,
    DateTimeOffset StateAt = default);

/// <summary>The states of a machine row.</summary>
public static class NodeStates
{
    public const string Up = "up";
    public const string Dead = "dead";
}

public sealed record NodeUpsertParams(string Name, string BootId, string Version, int Capacity, DateTimeOffset Now);
