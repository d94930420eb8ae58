namespace HeavyJobs.Web.Queries;

/// <summary>The whole fleet at a glance: what /api/overview returns and the overview page shows.</summary>
public sealed record OverviewDto(
    DateTimeOffset Now,
    IReadOnlyList<MachineDto> Machines,
    WorkerCountsDto Workers,
    ThroughputSummaryDto Throughput,
    IReadOnlyList<BacklogDto> Backlog,
    IReadOnlyList<ActionDto> RecentActions,
    AttentionDto Attention)
{
    public int MachinesUp => Machines.Count(m => m.Up);

    public int MachinesTotal => Machines.Count;
}

/// <param name="Up">Its monitor heartbeat is recent (<see cref="WebOptions.MachineUpWithin"/>) and the fleet has not declared it dead.</param>
/// <param name="Drained">Cordoned: no workers run there.</param>
/// <param name="Dead">The leading manager declared it dead (its heartbeats stopped) and freed its work.</param>
public sealed record MachineDto(
    string Name,
    bool Up,
    double HeartbeatAgeSeconds,
    string Version,
    int Capacity,
    DateTimeOffset StartedAt,
    WorkerCountsDto Workers,
    bool Drained = false,
    bool Dead = false)
{
    public string Status => Dead ? "dead" : !Up ? "down" : Drained ? "drained" : "up";
}

public sealed record WorkerCountsDto(int Busy, int Idle, int Starting, int Stopping)
{
    public int Total => Busy + Idle + Starting + Stopping;
}

public sealed record CrashLoopDto(string Node, string Type, string? Note, DateTimeOffset UpdatedAt);

/// <param name="ItemsPerMinuteNow">Items per minute over the last five minutes.</param>
public sealed record ThroughputSummaryDto(double ItemsPerMinuteNow, long ItemsLastHour, long GoodLastHour, long BadLastHour);

/// <param name="Remaining">Chunks not yet in a final state.</param>
/// <param name="Stage">The first stage with chunks still to run.</param>
/// <param name="Eta">
/// When the job's last stage should be done: each stage's pace over the five minutes before the count, no stage
/// finishing before the stages feeding it (as <c>heavyjobs status</c> computes it); null when it cannot be told yet.
/// </param>
public sealed record BacklogDto(
    long JobId,
    string Name,
    string State,
    long Pending,
    long Running,
    long Remaining,
    long Total,
    string? Stage,
    EtaDto? Eta);

public sealed record AttentionDto(
    IReadOnlyList<CrashLoopDto> CrashLooping,
    long FailedChunks,
    long QuarantinedChunks,
    IReadOnlyList<AttentionJobDto> Jobs,
    IReadOnlyList<ActionDto> HungKills)
{
    public int CrashLoopingCount => CrashLooping.Count;

    public int HungKillCount => HungKills.Count;

    public bool Any => CrashLooping.Count > 0 || FailedChunks > 0 || QuarantinedChunks > 0 || HungKills.Count > 0;
}

public sealed record AttentionJobDto(long JobId, string Name, long Failed, long Quarantined);

public sealed record ActionDto(
    long Id,
    DateTimeOffset At,
    string Actor,
    string Kind,
    string? Node,
    long? WorkerId,
    long? JobId,
    long? ChunkId,
    string Reason);

public sealed record ActionPageDto(IReadOnlyList<ActionDto> Actions, long? NextBefore);
