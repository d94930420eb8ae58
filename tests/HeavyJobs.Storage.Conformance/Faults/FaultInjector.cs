using System.Collections.Concurrent;
using HeavyJobs.Storage.Faults;

namespace HeavyJobs.Storage.Conformance.Faults;

/// <summary>
/// A fake that injects storage faults on purpose, below the store's retry: at random (seeded) while
/// <see cref="Probability"/> is above zero, and exactly where a test asks with <see cref="FailNext"/>. It counts
/// what it injected, so a run with faults on can show it met them.
/// </summary>
public sealed class FaultInjector(Func<InjectedFault, Exception> raise, int seed) : IStoreFaults
{
    /// <summary>The passing faults a connection can meet as it opens.</summary>
    private static readonly InjectedFault[] OnOpen = [InjectedFault.Busy, InjectedFault.ConnectionLost, InjectedFault.Timeout];

    /// <summary>The passing faults a write can meet after its statements ran, before its commit.</summary>
    private static readonly InjectedFault[] OnCommit = [InjectedFault.SerializationFailure, InjectedFault.Deadlock, InjectedFault.Busy, InjectedFault.Timeout];

    private readonly Random _random = new(seed);
    private readonly ConcurrentQueue<(StoreFaultPoint Point, InjectedFault Fault)> _next = new();
    private readonly ConcurrentDictionary<InjectedFault, int> _injected = new();

    /// <summary>The chance that each strike point of each attempt meets a random passing fault; zero turns random faults off.</summary>
    public double Probability { get; set; }

    public IReadOnlyDictionary<InjectedFault, int> Injected => _injected;

    public int Total => _injected.Values.Sum();

    /// <summary>The next <paramref name="count"/> write strikes at <paramref name="point"/> raise <paramref name="fault"/>.</summary>
    public void FailNext(StoreFaultPoint point, InjectedFault fault, int count = 1)
    {
        for (var i = 0; i < count; i++)
        {
            _next.Enqueue((point, fault));
        }
    }

    public void Strike(StoreFaultPoint point, bool write)
    {
        if (write && _next.TryPeek(out var next) && next.Point == point && _next.TryDequeue(out next))
        {
            Raise(next.Fault);
        }

        // A fault after the commit is never passing (the caller is told the outcome is unknown): only asked for.
        if (Probability <= 0 || point == StoreFaultPoint.AfterCommit)
        {
            return;
        }

        InjectedFault? fault = null;
        lock (_random)
        {
            if (_random.NextDouble() < Probability)
            {
                var kinds = point == StoreFaultPoint.Opened ? OnOpen : OnCommit;
                fault = kinds[_random.Next(kinds.Length)];
            }
        }

        if (fault is { } f)
        {
            Raise(f);
        }
    }

    private void Raise(InjectedFault fault)
    {
        _injected.AddOrUpdate(fault, 1, (_, n) => n + 1);
        throw raise(fault);
    }
}
