using HeavyJobs.Runtime.Monitor;
using Microsoft.Extensions.Time.Testing;

namespace HeavyJobs.Runtime.Tests.Monitor;

public sealed class CrashLoopTrackerTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly CrashLoopTracker _tracker;

    public CrashLoopTrackerTests() =>
        _tracker = new CrashLoopTracker(
            new MonitorOptions { CrashLoopDeaths = 3, CrashLoopWindow = TimeSpan.FromMinutes(2), RestartBackoffBase = TimeSpan.FromSeconds(1), RestartBackoffCap = TimeSpan.FromSeconds(50) },
            _time);

    [Fact]
    public void Died_WithoutWork_BacksOffFromTheSecondDeath_AndMarksCrashLoopingAtTheThird()
    {
        Assert.False(_tracker.Died());
        Assert.Equal(TimeSpan.Zero, _tracker.Delay);
        Assert.False(_tracker.Died());
        Assert.True(_tracker.Delay > TimeSpan.Zero);
        Assert.True(_tracker.Died());
        Assert.True(_tracker.CrashLooping);
    }

    [Fact]
    public void DiedAfterWork_AsOftenAsWorkersAreKilled_NeverBacksOffNorMarksCrashLooping()
    {
        for (var death = 0; death < 40; death++)
        {
            Assert.False(_tracker.DiedAfterWork());
            Assert.Equal(TimeSpan.Zero, _tracker.Delay);
            Assert.False(_tracker.CrashLooping);
            _time.Advance(TimeSpan.FromSeconds(1));
        }
    }

    [Fact]
    public void DiedAfterWork_AfterDeathsWithoutWork_StartsAtOnce_ClearsCrashLooping_AndTheNextDeathWithoutWorkIsTheFirstInARow()
    {
        _tracker.Died();
        _tracker.Died();
        Assert.True(_tracker.Died());
        Assert.True(_tracker.Delay > TimeSpan.Zero);

        Assert.True(_tracker.DiedAfterWork());
        Assert.Equal(TimeSpan.Zero, _tracker.Delay);
        Assert.False(_tracker.CrashLooping);

        // The deaths before the work are forgiven: one more without work is news again, not a pattern.
        Assert.False(_tracker.Died());
        Assert.Equal(TimeSpan.Zero, _tracker.Delay);
        Assert.False(_tracker.Died());
        Assert.False(_tracker.CrashLooping);
    }
}
