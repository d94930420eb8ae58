namespace HeavyJobs.Runtime.Manager;

/// <summary>The fleet manager's cadences, bound from <c>HeavyJobs:Manager</c>.</summary>
public sealed record ManagerOptions
{
    public const string Section = "HeavyJobs:Manager";

    /// <summary>How often the manager looks while jobs run, when nothing wakes it sooner. The default value is 1 second.</summary>
    public TimeSpan Tick { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The longest an idle manager sleeps when nothing wakes it (a change in the store does, and so does the next
    /// schedule or lease falling due). The default value is 1 minute.
    /// </summary>
    public TimeSpan IdleSleep { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often expired leases are reclaimed at most. The default value is 5 seconds.</summary>
    public TimeSpan ReclaimInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often chunk counts per job, stage and state are recounted while jobs run, and closed hours of throughput
    /// folded, for the dashboard (it reads the last count and says how old it is). A recount that takes long is
    /// repeated no more often than ten times its duration; with no job running, once after the last one ended and
    /// then every <see cref="IdleRollupInterval"/>. The default value is 5 seconds.
    /// </summary>
    public TimeSpan RollupInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often roll-ups run while no job runs (closed hours of throughput still fold). The default value is 10 minutes.</summary>
    public TimeSpan IdleRollupInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A machine that misses this many heartbeats in a row (its monitor's <c>MachineHeartbeat</c>) is declared dead:
    /// its workers are marked lost and its chunks freed at once. The default value is 3.
    /// </summary>
    public int MissedBeats { get; set; } = 3;

    /// <summary>
    /// On PostgreSQL, a silent machine whose monitor's session still holds the machine's name is alive but starved
    /// of CPU or frozen (a machine that died or left the network loses its session: at once when its processes die,
    /// after the session's TCP keepalives, about 11 s, when it vanishes). Such a machine is declared dead only after
    /// this many missed heartbeats (or <see cref="MissedBeats"/>, if that is more); its chunks' leases still run out
    /// meanwhile. The default value is 30.
    /// </summary>
    public int MissedBeatsWhileConnected { get; set; } = 30;

    /// <summary>
    /// The leader's lock session is ended by the database when it sits idle this long, so a leader frozen past it
    /// loses the lead and a standby takes over; the leader renews it every third of this, and acts only while its
    /// last renewal is recent. The default value is 10 seconds.
    /// </summary>
    public TimeSpan LeaderLockIdle { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>What the manager prunes, and when (<see cref="PruneDuty"/>).</summary>
    public RetentionOptions Retention { get; set; } = new();
}
