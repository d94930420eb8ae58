namespace HeavyJobs.Storage.Retention;

/// <summary>
/// What a prune may remove: rows older than each cut-off, at most <see cref="Batch"/> rows per table and statement.
/// </summary>
/// <param name="JobsFinishedBefore">Completed, failed and cancelled jobs that finished before this lose their chunks and the outputs of every stage but the last.</param>
/// <param name="ActionsBefore">Action-log rows written before this.</param>
/// <param name="ThroughputBefore">Per-minute throughput before this, and only what both roll-ups already hold.</param>
/// <param name="WorkersBefore">Exited workers that stopped before this.</param>
/// <param name="CommandsBefore">Commands a monitor took before this.</param>
/// <param name="Batch">The most rows one statement deletes: each batch is its own short transaction.</param>
public sealed record PruneParams(
    DateTimeOffset Now,
    DateTimeOffset JobsFinishedBefore,
    DateTimeOffset ActionsBefore,
    DateTimeOffset ThroughputBefore,
    DateTimeOffset WorkersBefore,
    DateTimeOffset CommandsBefore,
    int Batch = PruneParams.DefaultBatch)
{
    public const int DefaultBatch = 1000;
}

/// <summary>Rows removed (or, for a dry run, that would be), per table; <see cref="Jobs"/> counts jobs whose chunks began to go.</summary>
public sealed record PruneCounts(long Jobs, long Chunks, long Outputs, long Actions, long ThroughputMinutes, long Workers, long Commands)
{
    public static readonly PruneCounts Zero = new(0, 0, 0, 0, 0, 0, 0);

    /// <summary>Rows of every table together (jobs are kept, so they are not rows removed).</summary>
    public long Rows => Chunks + Outputs + Actions + ThroughputMinutes + Workers + Commands;

    public static PruneCounts operator +(PruneCounts a, PruneCounts b) => new(
        a.Jobs + b.Jobs, a.Chunks + b.Chunks, a.Outputs + b.Outputs, a.Actions + b.Actions,
        a.ThroughputMinutes + b.ThroughputMinutes, a.Workers + b.Workers, a.Commands + b.Commands);

    public override string ToString() =>
        $"{Chunks} chunks and {Outputs} outputs of {Jobs} finished jobs, {Actions} actions, {ThroughputMinutes} throughput minutes, {Workers} exited workers, {Commands} taken commands";
}
