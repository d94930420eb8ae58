namespace HeavyJobs.Runtime.Monitor;

public sealed record MonitorOptions
{
    /// <summary>The machine's name in the store. The default value is the host name.</summary>
    public string Node { get; init; } = Environment.MachineName;

    /// <summary>How often leases of busy workers are extended. The default value is 2 seconds.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How often worker rows are rewritten when nothing about them changed. The default value is 15 seconds.</summary>
    public TimeSpan WorkerRowRefresh { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The lease a heartbeat grants. The default value is 30 seconds.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A worker that sends no heartbeat for this long is hung. The default value is 15 seconds.</summary>
    public TimeSpan HungAfter { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Overrides every type's stall timeout (heartbeats without progress while busy); null keeps each type's own.</summary>
    public TimeSpan? StallTimeout { get; init; }

    /// <summary>How long a stopped worker gets to checkpoint and exit before it is killed. The default value is 10 seconds.</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The first restart delay after a worker dies; it doubles per death in a row. The default value is 1 second.</summary>
    public TimeSpan RestartBackoffBase { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest restart delay. The default value is 1 minute.</summary>
    public TimeSpan RestartBackoffCap { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Deaths of a type within <see cref="CrashLoopWindow"/> that mark it crash-looping. The default value is 5.</summary>
    public int CrashLoopDeaths { get; init; } = 5;

    /// <summary>The default value is 2 minutes.</summary>
    public TimeSpan CrashLoopWindow { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Deaths of a chunk's holders before the chunk is quarantined. The default value is 3.</summary>
    public int QuarantineAfter { get; init; } = Storage.Chunks.ChunkDefaults.QuarantineAfter;

    /// <summary>
    /// How often this monitor looks for expired leases anywhere (a dead machine's chunks). The manager does it
    /// too, when a lease falls due; this is the fallback for a fleet without one. The default value is 15 seconds.
    /// </summary>
    public TimeSpan ReclaimInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long the monitor's store watcher waits for a change before it looks anyway whether work of its idle
    /// workers' types has come due by time alone (a retry's back-off over), one probe per type, and wakes those
    /// workers. Nothing is written when that happens, so nothing is notified; the monitor's workers do not poll
    /// the store themselves but for a safety net of minutes. The default value is 15 seconds.
    /// </summary>
    public TimeSpan IdleProbeInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Stderr lines kept per worker. The default value is 40.</summary>
    public int StderrLines { get; init; } = 40;

    /// <summary>How the .NET worker is started; the monitor appends "worker --monitored --types T".</summary>
    public required IReadOnlyList<string> WorkerCommand { get; init; }

    /// <summary>Job types run by other executables speaking the worker protocol: type → command line.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ExternalWorkers { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>The store as workers should open it (passed as HEAVYJOBS_DB).</summary>
    public required string Db { get; init; }

    /// <summary>The code version recorded with each worker.</summary>
    public string Version { get; init; } = "0.0.0";

    /// <summary>Heartbeat period asked of workers. The default value is 1 second.</summary>
    public TimeSpan WorkerHeartbeat { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Heartbeat period asked of idle workers. An idle worker holds no chunk, so little hangs on hearing from
    /// it often, while every wake-up of every idle process is paid for by the machine. The default value is
    /// 15 seconds.
    /// </summary>
    public TimeSpan WorkerIdleHeartbeat { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The idle heartbeat period workers are actually given: never shorter than the busy one.</summary>
    internal TimeSpan EffectiveWorkerIdleHeartbeat => TimeSpan.FromTicks(Math.Max(WorkerHeartbeat.Ticks, WorkerIdleHeartbeat.Ticks));

    /// <summary>
    /// How long a worker that last said it was idle may be silent before it is hung: <see cref="HungAfter"/>,
    /// or three idle heartbeats if that is longer, so that an idle worker is never taken for a hung one. A worker
    /// says at once when it turns busy, and from then on <see cref="HungAfter"/> applies.
    /// </summary>
    internal TimeSpan IdleHungAfter => TimeSpan.FromTicks(Math.Max(HungAfter.Ticks, EffectiveWorkerIdleHeartbeat.Ticks * 3));
}
