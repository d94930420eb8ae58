namespace HeavyJobs.Runtime.Worker;

public sealed record WorkerOptions
{
    /// <summary>Handler types this worker runs; empty means every registered type.</summary>
    public IReadOnlyList<string> Types { get; init; } = [];

    /// <summary>Chunks run at once in this process. The default value is 1.</summary>
    public int Concurrency { get; init; } = 1;

    /// <summary>How long a claim holds a chunk without a heartbeat. The default value is 30 seconds.</summary>
    public TimeSpan Lease { get; init; } = WorkerDefaults.Lease;

    /// <summary>How often leases are extended and progress reported. The default value is 5 seconds.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = WorkerDefaults.HeartbeatInterval;

    /// <summary>
    /// With no work, how long to sleep before looking again if no wake-up comes. Wake-ups make this a safety
    /// net only. The default value is 30 seconds.
    /// </summary>
    public TimeSpan IdleFallbackPoll { get; init; } = WorkerDefaults.IdleFallbackPoll;

    /// <summary>On stop, how long running handlers get to checkpoint and return. The default value is 10 seconds.</summary>
    public TimeSpan StopGrace { get; init; } = WorkerDefaults.StopGrace;
}

public static class WorkerDefaults
{
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan IdleFallbackPoll = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);
}
