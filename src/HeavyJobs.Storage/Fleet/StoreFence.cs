namespace HeavyJobs.Storage.Fleet;

/// <summary>
/// The leadership epoch under which the current flow of work writes. While it is set, every write transaction
/// the store runs first checks that the epoch is still the leader's (locking the leader row, so a new leader's
/// epoch bump waits for the write or comes first) and refuses with <see cref="LeadershipLostException"/> if not:
/// a manager deposed while it slept or froze cannot make a late write stick.
/// </summary>
public static class StoreFence
{
    private static readonly AsyncLocal<long?> Current = new();

    /// <summary>The epoch this flow writes under; null outside a leader's pass.</summary>
    public static long? Epoch => Current.Value;

    /// <summary>Fences the writes of this flow (and the tasks it starts) with <paramref name="epoch"/> until disposed.</summary>
    public static IDisposable Enter(long epoch)
    {
        var previous = Current.Value;
        Current.Value = epoch;
        return new Exit(previous);
    }

    private sealed class Exit(long? previous) : IDisposable
    {
        public void Dispose() => Current.Value = previous;
    }
}

/// <summary>A write was refused because its leadership epoch is no longer the leader's.</summary>
public sealed class LeadershipLostException(long epoch) : Exception($"leadership epoch {epoch} is no longer current: another manager leads")
{
    public long Epoch { get; } = epoch;
}
