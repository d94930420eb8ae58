namespace HeavyJobs.Web.Queries;

public sealed record WorkersDto(
    DateTimeOffset Now,
    IReadOnlyList<MachineDto> Machines,
    IReadOnlyList<WorkerDto> Workers,
    IReadOnlyList<TargetDto> Targets,
    IReadOnlyList<FleetTargetDto> Fleet);

/// <summary>A fleet-wide count of a type, spread by the leading manager; <paramref name="Running"/> counts its live workers everywhere.</summary>
public sealed record FleetTargetDto(string Type, int Count, int Running);

/// <summary>One line of the ps.</summary>
/// <param name="StderrTail">The last lines the worker wrote to stderr.</param>
/// <param name="Version">The version the worker reported for itself (its monitor's until it said hello).</param>
/// <param name="MonitorVersion">The version of the monitor that started it: the two differ while a deploy rolls.</param>
public sealed record WorkerDto(
    long Id,
    string Node,
    int Pid,
    string Types,
    string State,
    long? CurrentChunk,
    double CpuPercent,
    long RssBytes,
    double UptimeSeconds,
    double ItemsPerSecond,
    string Version,
    int Restarts,
    DateTimeOffset HeartbeatAt,
    string? ExitReason,
    string? StderrTail,
    string MonitorVersion);

/// <param name="Running">Live workers of that type on that machine now.</param>
/// <param name="SetBy">"machine" when an operator set (pinned) this machine's count, "fleet" when the manager spread a fleet target.</param>
public sealed record TargetDto(string Node, string Type, int Count, int Running, bool CrashLooping, string? Note, string SetBy = "machine");
