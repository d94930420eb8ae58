namespace HeavyJobs.Runtime.Worker;

public sealed record WorkerOptions
{
    /// <summary>The machine name a worker run by hand registers under (a monitor registers its own workers). The default value is the host name.</summary>
    public string Node { get; set; } = Environment.MachineName;

    /// <summary>Handler types this worker runs; empty means every registered type.</summary>
    public IReadOnlyList<string> Types { get; set; } = [];

    /// <summary>Chunks run at once in this process. The default value is 1.</summary>
    public int Concurrency { get; set; } = 1;

    /// <summary>How long a claim holds a chunk without a heartbeat. The default value is 30 seconds.</summary>
    public TimeSpan Lease { get; set; } = WorkerDefaults.Lease;

    /// <summary>How often leases are extended and progress reported. The default value is 5 seconds.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = WorkerDefaults.HeartbeatInterval;

    /// <summary>
    /// How often an idle worker (no chunk running) reports that it lives. It holds no lease then, so only its
    /// host's liveness check waits on it; a longer period lets an idle fleet sleep. Going busy reports at once
    /// and switches back to <see cref="HeartbeatInterval"/>. The default value is 5 seconds.
    /// </summary>
    public TimeSpan IdleHeartbeatInterval { get; set; } = WorkerDefaults.HeartbeatInterval;

    /// <summary>
    /// With no work, how long to sleep before looking again if no wake-up comes. Wake-ups make this a safety
    /// net only. The default value is 30 seconds.
    /// </summary>
    public TimeSpan IdleFallbackPoll { get; set; } = WorkerDefaults.IdleFallbackPoll;

    /// <summary>On stop, how long running handlers get to checkpoint and return. The default value is 10 seconds.</summary>
    public TimeSpan StopGrace { get; set; } = WorkerDefaults.StopGrace;

    /// <summary>
    /// How much work a claim takes ahead of the free slots: as many chunks as the slots run in this time, at
    /// the handlers' measured pace. Long chunks are never taken ahead; no-op chunks are, up to
    /// <see cref="MaxClaim"/>. Zero turns prefetch off. The default value is 100 ms.
    /// </summary>
    public TimeSpan PrefetchWindow { get; set; } = WorkerDefaults.PrefetchWindow;

    /// <summary>The most chunks one claim takes. The default value is 4,000.</summary>
    public int MaxClaim { get; set; } = WorkerDefaults.MaxClaim;

    /// <summary>Finished chunks whose completions are committed together at most. The default value is 4,000.</summary>
    public int CompletionBatch { get; set; } = WorkerDefaults.CompletionBatch;

    /// <summary>The longest a finished chunk's completion waits for its batch. The default value is 50 ms.</summary>
    public TimeSpan CompletionFlushInterval { get; set; } = WorkerDefaults.CompletionFlushInterval;

    /// <summary>
    /// A checkpoint that comes sooner than this after the handler's previous one (or its start) is written
    /// behind the handler: <c>CheckpointAsync</c> returns at once, and the checkpoint is written when this long
    /// has passed since the last write began (at once if it has already), together with any quick checkpoints
    /// that came meanwhile. A handler that checkpoints every few milliseconds then computes instead of waiting
    /// for commits, at one commit per this period. A kill costs at most the work since the last written
    /// checkpoint, which is at most this much older than the handler's last one. Slower checkpoints commit
    /// before they return. Zero writes every checkpoint before returning. At most 1 minute; the default value
    /// is 50 ms.
    /// </summary>
    public TimeSpan WriteBehindUnder { get; set; } = WorkerDefaults.WriteBehindUnder;

    /// <summary>
    /// How many of a chunk's latest checkpoints its history keeps, for an operator to rewind to (0: none). The
    /// default value is 20.
    /// </summary>
    public int KeptCheckpoints { get; set; } = Storage.Chunks.ChunkDefaults.KeptCheckpoints;
}

public static class WorkerDefaults
{
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan IdleFallbackPoll = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan PrefetchWindow = TimeSpan.FromMilliseconds(100);

    public const int MaxClaim = 4000;

    public const int CompletionBatch = 4000;

    public static readonly TimeSpan CompletionFlushInterval = TimeSpan.FromMilliseconds(50);

    public static readonly TimeSpan WriteBehindUnder = TimeSpan.FromMilliseconds(50);

    /// <summary>The longest <see cref="WorkerOptions.WriteBehindUnder"/> taken: a longer one is cut to this.</summary>
    public static readonly TimeSpan WriteBehindMost = TimeSpan.FromMinutes(1);
}
