namespace HeavyJobs.Runtime.Monitor;

public sealed record MonitorOptions
{
    /// <summary>The machine's name in the store. The default value is the host name.</summary>
    public string Node { get; set; } = Environment.MachineName;

    /// <summary>
    /// How often the machine's row is beaten. The leading manager declares the machine dead after its
    /// <c>MissedBeats</c> of these in a row. The default value is 2 seconds.
    /// </summary>
    public TimeSpan MachineHeartbeat { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The machine's boot id; empty for the kernel's. A monitor that starts with a boot id other than the one its
    /// machine had knows the old workers are gone. Set only to run several machines on one box (a test fleet).
    /// </summary>
    public string BootId { get; set; } = "";

    /// <summary>How often leases of busy workers are extended. The default value is 2 seconds.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often worker rows are rewritten when nothing about them changed. The default value is 15 seconds.</summary>
    public TimeSpan WorkerRowRefresh { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The lease a heartbeat grants. The default value is 30 seconds.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A worker that sends no heartbeat for this long is hung. The default value is 15 seconds.</summary>
    public TimeSpan HungAfter { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Overrides every type's stall timeout (heartbeats without progress while busy); null keeps each type's own.</summary>
    public TimeSpan? StallTimeout { get; set; }

    /// <summary>How long a stopped worker gets to checkpoint and exit before it is killed. The default value is 10 seconds.</summary>
    public TimeSpan StopGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The first restart delay after a worker dies; it doubles per death in a row. The default value is 1 second.</summary>
    public TimeSpan RestartBackoffBase { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest restart delay. The default value is 1 minute.</summary>
    public TimeSpan RestartBackoffCap { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Deaths of a type within <see cref="CrashLoopWindow"/> that mark it crash-looping. The default value is 5.</summary>
    public int CrashLoopDeaths { get; set; } = 5;

    /// <summary>The default value is 2 minutes.</summary>
    public TimeSpan CrashLoopWindow { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Deaths of a chunk's holders in a row with no progress between them before the chunk is quarantined. The default value is 3.</summary>
    public int QuarantineAfter { get; set; } = Storage.Chunks.ChunkDefaults.QuarantineAfter;

    /// <summary>
    /// How long the monitor's store watcher waits for a change before it looks anyway whether work of its idle
    /// workers' types has come due by time alone (a retry's back-off over), one probe per type, and wakes those
    /// workers. Nothing is written when that happens, so nothing is notified; the monitor's workers do not poll
    /// the store themselves but for a safety net of minutes. The default value is 15 seconds.
    /// </summary>
    public TimeSpan IdleProbeInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Stderr lines kept per worker. The default value is 40.</summary>
    public int StderrLines { get; set; } = 40;

    /// <summary>
    /// The young-generation budget, in bytes, of the .NET worker processes this monitor starts (the runtime's
    /// <c>DOTNET_GCgen0size</c>; external workers are left alone). Left to itself the runtime sizes it by the
    /// processor's cache (18 MB on the machines measured), and a worker touches all of it once it has allocated
    /// that much between two collections: each worker's resident memory rose by most of that from a small refresh
    /// to a large one, while its live objects stayed a few MB (docs/performance.md). 0 leaves it to the runtime,
    /// as does a <c>DOTNET_GCgen0size</c> in the monitor's own environment, which its workers inherit. The default
    /// value is 4 MiB.
    /// </summary>
    public long WorkerGen0Budget { get; set; } = 4L << 20;

    /// <summary>
    /// How a worker of a type registered in this process is started: the monitor appends
    /// "worker --monitored --types T" and says in the environment who the worker is. Empty (the default) starts
    /// this same executable again, so a user's application is the worker of its own handlers.
    /// </summary>
    public IReadOnlyList<string> WorkerCommand { get; set; } = [];

    /// <summary>Job types run by other executables speaking the worker protocol: type → command line.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ExternalWorkers { get; set; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>
    /// How the machine's .NET workers reach the store: through this monitor over their pipes, sharing its
    /// connections, or each on connections of its own. The default value is <see cref="WorkerStoreAccess.Auto"/>:
    /// through the monitor on PostgreSQL, direct on SQLite (docs/operations.md, "Connections").
    /// </summary>
    public WorkerStoreAccess WorkerStoreAccess { get; set; } = WorkerStoreAccess.Auto;

    /// <summary>
    /// How many store requests of its workers the monitor serves at once, each on one of its pooled connections
    /// (the monitor's own loop and its LISTEN session come on top). The default value is 2.
    /// </summary>
    public int WorkerStoreConnections { get; set; } = 2;

    /// <summary>The store as workers should open it (passed as HEAVYJOBS_DB); the host fills it from its store options.</summary>
    public string Db { get; set; } = "";

    /// <summary>The kind of store <see cref="Db"/> names (passed as HEAVYJOBS_STORE); null lets the worker tell by its form.</summary>
    public string? StoreKind { get; set; }

    /// <summary>
    /// Where this machine keeps its builds for rolling deploys (<c>versions/&lt;v&gt;/</c> and the <c>current</c> link its
    /// units start). Empty (the default): the root the running build was started from, if it was.
    /// </summary>
    public string InstallRoot { get; set; } = "";

    /// <summary>The code version recorded with each worker. The default value is the entry assembly's informational version.</summary>
    public string Version { get; set; } = HeavyJobs.Runtime.Hosting.AppVersion.Current;

    /// <summary>Heartbeat period asked of workers. The default value is 1 second.</summary>
    public TimeSpan WorkerHeartbeat { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Heartbeat period asked of idle workers. An idle worker holds no chunk, so little hangs on hearing from
    /// it often, while every wake-up of every idle process is paid for by the machine. The default value is
    /// 15 seconds.
    /// </summary>
    public TimeSpan WorkerIdleHeartbeat { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Whether workers go through the monitor, <see cref="WorkerStoreAccess.Auto"/> resolved by the kind of store.</summary>
    internal bool WorkersThroughMonitor => WorkerStoreAccess switch
    {
        WorkerStoreAccess.Monitor => true,
        WorkerStoreAccess.Direct => false,
        // With no kind given, a connection string (not a file path) is PostgreSQL, as the heavyjobs command tells them apart.
        _ => StoreKind is { } kind ? string.Equals(kind, "postgres", StringComparison.OrdinalIgnoreCase) : Db.Contains('=', StringComparison.Ordinal),
    };

    /// <summary>The idle heartbeat period workers are actually given: never shorter than the busy one.</summary>
    internal TimeSpan EffectiveWorkerIdleHeartbeat => TimeSpan.FromTicks(Math.Max(WorkerHeartbeat.Ticks, WorkerIdleHeartbeat.Ticks));

    /// <summary>
    /// How long a worker that last said it was idle may be silent before it is hung: <see cref="HungAfter"/>,
    /// or three idle heartbeats if that is longer, so that an idle worker is never taken for a hung one. A worker
    /// says at once when it turns busy, and from then on <see cref="HungAfter"/> applies.
    /// </summary>
    internal TimeSpan IdleHungAfter => TimeSpan.FromTicks(Math.Max(HungAfter.Ticks, EffectiveWorkerIdleHeartbeat.Ticks * 3));
}

/// <summary>How a monitor's .NET workers reach the store (<see cref="MonitorOptions.WorkerStoreAccess"/>).</summary>
public enum WorkerStoreAccess
{
    /// <summary>Through the monitor on PostgreSQL, where connections are what a fleet runs out of; direct on SQLite, a file with no connection limit.</summary>
    Auto,

    /// <summary>Each worker opens the store itself.</summary>
    Direct,

    /// <summary>Workers send their store calls to the monitor over their pipes and share its connections.</summary>
    Monitor,
}
