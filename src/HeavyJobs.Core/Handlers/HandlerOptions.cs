namespace HeavyJobs.Core.Handlers;

/// <summary>Per job type settings that the runtime and the monitor apply.</summary>
public sealed record HandlerOptions
{
    /// <summary>Heartbeats without progress for this long mean the worker is hung. The default value is 5 minutes.</summary>
    public TimeSpan StallTimeout { get; init; } = HandlerDefaults.StallTimeout;

    /// <summary>Attempts before a chunk is failed for good. The default value is 5.</summary>
    public int MaxAttempts { get; init; } = HandlerDefaults.MaxAttempts;
}

public static class HandlerDefaults
{
    public static readonly TimeSpan StallTimeout = TimeSpan.FromMinutes(5);

    public const int MaxAttempts = 5;
}
