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

    /// <summary>What the manager prunes, and when (<see cref="PruneDuty"/>).</summary>
    public RetentionOptions Retention { get; set; } = new();
}
