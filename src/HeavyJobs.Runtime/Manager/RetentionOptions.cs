using HeavyJobs.Storage.Retention;

namespace HeavyJobs.Runtime.Manager;

/// <summary>How long each kind of history is kept, and how the manager prunes it; bound from <c>HeavyJobs:Manager:Retention</c>.</summary>
public sealed record RetentionOptions
{
    /// <summary>Whether the manager prunes on its own. The default value is true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the manager prunes. The default value is 1 hour.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long after a job finished (completed, failed or cancelled) its chunks and the outputs of its earlier stages
    /// go; its counts and its last stage's outputs stay. The default value is 7 days.
    /// </summary>
    public TimeSpan FinishedJobs { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long action-log rows are kept. The default value is 30 days.</summary>
    public TimeSpan Actions { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long per-minute throughput is kept once both roll-ups hold it (they are kept). The default value is 2 days.</summary>
    public TimeSpan ThroughputMinutes { get; set; } = TimeSpan.FromDays(2);

    /// <summary>How long an exited worker's row is kept for diagnosis. The default value is 7 days.</summary>
    public TimeSpan ExitedWorkers { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long a command a monitor took is kept. The default value is 1 day.</summary>
    public TimeSpan TakenCommands { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The most rows one statement deletes (each batch its own short transaction). The default value is 1000.</summary>
    public int Batch { get; set; } = PruneParams.DefaultBatch;

    /// <summary>
    /// A pause after each batch, so that on SQLite's single write lock the workers' writes always get turns in
    /// between. The default value is 20 milliseconds.
    /// </summary>
    public TimeSpan BatchPause { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>The cut-offs at <paramref name="now"/>.</summary>
    public PruneParams At(DateTimeOffset now) =>
        new(now, now - FinishedJobs, now - Actions, now - ThroughputMinutes, now - ExitedWorkers, now - TakenCommands, Batch);
}
