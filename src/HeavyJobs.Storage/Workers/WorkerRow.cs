using HeavyJobs.Core.Model;

namespace HeavyJobs.Storage.Workers;

/// <summary>One worker process, as the ps shows it.</summary>
/// <param name="Version">The version of the monitor that started it.</param>
/// <param name="WorkerVersion">The version the worker itself reported in its hello; null until it said hello.</param>
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
    string? StderrTail,
    string? WorkerVersion = null);

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
    int? Pid = null,
    string? WorkerVersion = null);

public sealed record WorkerUpdateManyParams(IReadOnlyList<WorkerUpdate> Updates, DateTimeOffset Now);

/// <param name="IncludeExited">Exited workers are kept for diagnosis; the ps shows live ones by default.</param>
public sealed record WorkerListParams(string? Node = null, bool IncludeExited = false, int Limit = 1000);
