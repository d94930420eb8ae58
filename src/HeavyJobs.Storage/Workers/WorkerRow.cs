using HeavyJobs.Core.Model;

namespace HeavyJobs.Storage.Workers;

/// <summary>One worker process, as the ps shows it.</summary>
public sealed record WorkerRow(
    long Id,
    string Node,
    int Pid,
    IReadOnlyList<string> Types,
    string Version,
    WorkerState State,
    DateTimeOffset StartedAt,
    DateTimeOffset HeartbeatAt,
    DateTimeOffset? StoppedAt,
    string? ExitReason,
    long? CurrentChunk,
    double CpuPercent,
    long RssBytes,
    double ItemsPerSecond,
    int Restarts,
    string? StderrTail);

public sealed record WorkerRegisterParams(string Node, int Pid, IReadOnlyList<string> Types, string Version, int Restarts, DateTimeOffset Now);

public sealed record WorkerUpdate(
    long WorkerId,
    WorkerState State,
    long? CurrentChunk,
    double CpuPercent,
    long RssBytes,
    double ItemsPerSecond,
    string? StderrTail = null,
    string? ExitReason = null,
    int? Pid = null);

public sealed record WorkerUpdateManyParams(IReadOnlyList<WorkerUpdate> Updates, DateTimeOffset Now);

/// <param name="IncludeExited">Exited workers are kept for diagnosis; the ps shows live ones by default.</param>
public sealed record WorkerListParams(string? Node = null, bool IncludeExited = false, int Limit = 1000);
