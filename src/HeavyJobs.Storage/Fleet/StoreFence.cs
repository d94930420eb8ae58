namespace HeavyJobs.Storage.Fleet;

/// <summary>
/// The leadership epoch under which the current flow of work writes. While it is set, every write transaction
/// the store runs first checks that the epoch is still the leader's (locking the leader row, so a new leader's
/// epoch bump waits for the write or comes first) and refuses with <see cref="LeadershipLostException"/> if not:
/// a manager deposed while it slept or froze cannot make a late write stick.
/// </summary>
public static class StoreFence
{
    private static readonly AsyncLocal<Held?> Current = new();

    /// <summary>The epoch this flow writes under; null outside a leader's pass.</summary>
    public static long? Epoch => Current.Value?.Epoch;

    /// <summary>
    /// How long a fenced transaction may sit idle (its process frozen between statements) before the database
    /// ends it. The fence holds the leader row, so without a limit a leader frozen mid-write would keep the next
    /// leader from taking over for as long as it stays frozen. Null: no limit.
    /// </summary>
    public static TimeSpan? IdleLimit => Current.Value?.IdleLimit;

    /// <summary>Fences the writes of this flow (and the tasks it starts) with <paramref name="epoch"/> until disposed.</summary>
    public static IDisposable Enter(long epoch, TimeSpan? idleLimit = null)
    {
        var previous = Current.Value;
        Current.Value = new Held(epoch, idleLimit);
        return new Exit(previous);
    }

    private sealed record Held(long Epoch, TimeSpan? IdleLimit);

    private sealed class Exit(Held? previous) : IDisposable
    {
        public void Dispose() => Current.Value = previous;
    }
}

/// <summary>A write was refused because its leadership epoch is no longer the leader's.</summary>
public sealed class LeadershipLostException(long epoch) : Exception($"leadership epoch {epoch} is no longer current: another manager leads")
{
    public long Epoch { get; } = epoch;
}
