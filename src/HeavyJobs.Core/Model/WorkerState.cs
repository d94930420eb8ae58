namespace HeavyJobs.Core.Model;

public enum WorkerState
{
    Starting,
    Idle,
    Busy,
    Stopping,
    Exited,

    /// <summary>Its machine was declared dead: the worker is presumed gone with it and its chunks were freed.</summary>
    Lost,
}

public static class WorkerStates
{
    public static string ToDb(this WorkerState state) => state switch
    {
        WorkerState.Starting => "starting",
        WorkerState.Idle => "idle",
        WorkerState.Busy => "busy",
        WorkerState.Stopping => "stopping",
        WorkerState.Exited => "exited",
        WorkerState.Lost => "lost",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    public static WorkerState Parse(string value) => value switch
    {
        "starting" => WorkerState.Starting,
        "idle" => WorkerState.Idle,
        "busy" => WorkerState.Busy,
        "stopping" => WorkerState.Stopping,
        "exited" => WorkerState.Exited,
        "lost" => WorkerState.Lost,
        _ => throw new FormatException($"Unknown worker state '{value}'."),
    };
}
