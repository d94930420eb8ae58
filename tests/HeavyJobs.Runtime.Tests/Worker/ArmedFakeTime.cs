using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace HeavyJobs.Runtime.Tests.Worker;

/// <summary>
/// Fake time that tells when a timer is armed and for which instant. Code that waits does "now" and then "delay by
/// the difference" in two steps; a test that advances the clock between them leaves a timer armed past the advance
/// that never fires. Waiting for the timer aimed at the instant first closes that gap.
/// </summary>
internal sealed class ArmedFakeTime(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Channel<DateTimeOffset> _armed = Channel.CreateUnbounded<DateTimeOffset>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            _armed.Writer.TryWrite(GetUtcNow() + dueTime);
        }

        return base.CreateTimer(callback, state, dueTime, period);
    }

    /// <summary>Waits until a timer is armed to fire at <paramref name="due"/> (timers armed for other instants are passed over).</summary>
    public async Task ArmedForAsync(DateTimeOffset due, CancellationToken cancellationToken)
    {
        while (await _armed.Reader.ReadAsync(cancellationToken) != due)
        {
        }
    }
}
