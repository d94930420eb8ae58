namespace HeavyJobs.Storage.Faults;

/// <summary>How a store retries a transaction the database refused for a passing reason (a deadlock, a busy file, a lost connection).</summary>
public sealed record StoreRetryOptions
{
    /// <summary>Retries after the first attempt. The default value is 8: with the default delays about 20 s, long enough for a database restart.</summary>
    public int MaxRetries { get; init; } = 8;

    /// <summary>The first retry's delay, doubled for each next one, with jitter. The default value is 100 ms.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest delay between two attempts. The default value is 5 seconds.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The clock the delays run on. The default value is the system's: the waits are between real attempts on a real
    /// database, and a test's fake clock, which nobody advances during a store call, would stall them.
    /// </summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>No retry at all: every error reaches the caller as the database raised it.</summary>
    public static StoreRetryOptions None { get; } = new() { MaxRetries = 0 };
}
