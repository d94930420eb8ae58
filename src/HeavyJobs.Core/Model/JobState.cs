namespace HeavyJobs.Core.Model;

/// <summary>The life of a job; drawn in docs/state-machines.md.</summary>
public enum JobState
{
    Active,
    Paused,
    Cancelled,
    Completed,
    Failed,
}

public static class JobStates
{
    public static string ToDb(this JobState state) => state switch
    {
        JobState.Active => "active",
        JobState.Paused => "paused",
        JobState.Cancelled => "cancelled",
        JobState.Completed => "completed",
        JobState.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    public static JobState Parse(string value) => value switch
    {
        "active" => JobState.Active,
        "paused" => JobState.Paused,
        "cancelled" => JobState.Cancelled,
        "completed" => JobState.Completed,
        "failed" => JobState.Failed,
        _ => throw new FormatException($"Unknown job state '{value}'."),
    };
}
