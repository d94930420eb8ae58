namespace HeavyJobs.Storage;

/// <summary>Times are stored as Unix milliseconds in both databases: exact, index-friendly and the same on both.</summary>
public static class StoreTime
{
    public static long ToMs(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    public static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    public static DateTimeOffset? FromMs(long? ms) => ms is { } v ? FromMs(v) : null;
}
