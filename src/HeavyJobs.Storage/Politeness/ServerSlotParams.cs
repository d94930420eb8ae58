namespace HeavyJobs.Storage.Politeness;

/// <summary>
/// Reserves the next start time for a request to an external server: starts are spaced by
/// <paramref name="Interval"/> across every worker of the fleet. Returns the reserved start.
/// </summary>
public sealed record RateReserveParams(string Server, TimeSpan Interval, DateTimeOffset Now);

/// <summary>Takes one of <paramref name="Slots"/> concurrency slots of a server until released or <paramref name="HoldUntil"/>.</summary>
public sealed record ServerSlotAcquireParams(string Server, int Slots, DateTimeOffset HoldUntil, DateTimeOffset Now);

public sealed record ServerSlotReleaseParams(string Server, int Slot);
