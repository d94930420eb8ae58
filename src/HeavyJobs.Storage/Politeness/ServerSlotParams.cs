using HeavyJobs.Storage.Actions;

namespace HeavyJobs.Storage.Politeness;

/// <summary>
/// Reserves the next start time for a request to an external server: starts are spaced by
/// <paramref name="Interval"/> across every worker of the fleet. Returns the reserved start, never before
/// <paramref name="NotBefore"/> (default <paramref name="Now"/>): a caller whose answer takes a round trip to come
/// back asks for a turn that far ahead, so that it is not late for it.
/// </summary>
public sealed record RateReserveParams(string Server, TimeSpan Interval, DateTimeOffset Now, DateTimeOffset? NotBefore = null);

/// <summary>
/// A turn reserved at <paramref name="ReservedAt"/> (the time passed to that reservation), checked when it comes:
/// a push-back recorded since makes it void, since it was spaced for a server that has since asked for a pause.
/// </summary>
public sealed record RateTurnParams(string Server, DateTimeOffset ReservedAt);

/// <summary>Takes one of <paramref name="Slots"/> concurrency slots of a server until released or <paramref name="HoldUntil"/>.</summary>
public sealed record ServerSlotAcquireParams(string Server, int Slots, DateTimeOffset HoldUntil, DateTimeOffset Now);

public sealed record ServerSlotReleaseParams(string Server, int Slot);

/// <summary>
/// One request's way in, in one write: a free one of <paramref name="Slots"/> concurrency slots held until
/// <paramref name="HoldUntil"/> (or, when <paramref name="Held"/> names a slot the caller already holds, that
/// slot's hold renewed) and, only with it, the next start spaced by <paramref name="Interval"/> as
/// <see cref="RateReserveParams"/> reserves it (not before <paramref name="NotBefore"/>).
/// </summary>
public sealed record ServerTurnTakeParams(string Server, int Slots, DateTimeOffset HoldUntil, TimeSpan Interval, DateTimeOffset Now, int? Held = null, DateTimeOffset? NotBefore = null);

/// <summary>The slot taken and the start reserved.</summary>
public sealed record ServerTurn(int Slot, DateTimeOffset Start);

/// <summary>
/// A server pushed back: no start before <c>Now + Pause</c> for anyone, and until <c>Now + SlowFor</c> every
/// reservation's interval is multiplied by a factor that doubles (up to <paramref name="MaxFactor"/>) each time
/// the server pushes back again after the pause. When the push-back starts a new incident and
/// <paramref name="Incident"/> is given, that action is logged in the same transaction, its reason followed by
/// ": " and what the fleet now does (<see cref="RateBackOff.Describe"/>): a worker killed between the two can
/// leave neither a pause nobody was told of nor a log entry for a pause that never was.
/// </summary>
public sealed record RateBackOffParams(string Server, TimeSpan Pause, TimeSpan SlowFor, DateTimeOffset Now, double MaxFactor = 16, ActionInsertParams? Incident = null);

/// <param name="ResumeAt">The earliest start anyone can now reserve.</param>
/// <param name="SlowFactor">How much further apart starts are spaced until <paramref name="SlowUntil"/>.</param>
/// <param name="NewIncident">False when the server was already paused (many workers report the same push-back).</param>
public sealed record RateBackOff(DateTimeOffset ResumeAt, double SlowFactor, DateTimeOffset SlowUntil, bool NewIncident)
{
    /// <summary>What every worker does from now on, in the words of the action log.</summary>
    public string Describe() => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"every worker waits until {ResumeAt:HH:mm:ss.fff}, then spaces its starts ×{SlowFactor:0.#} until {SlowUntil:HH:mm:ss}");
}
