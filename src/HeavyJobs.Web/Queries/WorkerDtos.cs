namespace HeavyJobs.Web.Queries;

public sealed record WorkersDto(
    DateTimeOffset Now,
    IReadOnlyList<MachineDto> Machines,
    IReadOnlyList<WorkerDto> Workers,
    IReadOnlyList<TargetDto> Targets);

/// <summary>One line of the ps.</summary>
/// <param name="StderrTail">The last lines the worker wrote to stderr.</param>
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
    string? StderrTail);

/// <param name="Running">Live workers of that type on that machine now.</param>
public sealed record TargetDto(string Node, string Type, int Count, int Running, bool CrashLooping, string? Note);
