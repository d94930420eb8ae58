using HeavyJobs.Runtime.Monitor;

namespace HeavyJobs.Runtime.Tests.Monitor;

public sealed class MonitorOptionsTests
{
    [Fact]
    public void ByDefault_IdleWorkersHeartbeatEvery15s_AndAreHungAfter45sOfSilence_BusyOnesAfter15s()
    {
        var options = new MonitorOptions { WorkerCommand = ["heavyjobs"], Db = "unused" };

        Assert.Equal((TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(45), TimeSpan.FromSeconds(15)), (options.EffectiveWorkerIdleHeartbeat, options.IdleHungAfter, options.HungAfter));
    }

    [Theory]
    [InlineData("as by default", 15, 1, 15, 15, 45)]
    [InlineData("a long hung-after is kept", 60, 1, 15, 15, 60)]
    [InlineData("a short hung-after never makes an idle worker hung between two heartbeats", 6, 1, 5, 5, 15)]
    [InlineData("never below the busy period", 15, 2, 1, 2, 15)]
    public void IdleWorkers_HeartbeatSeldom_AndAreNeverTakenForHungBetweenTwo(string why, int hungAfter, int busy, int idle, int expectedPeriod, int expectedIdleHung)
    {
        Assert.NotEmpty(why);
        var options = new MonitorOptions
        {
            WorkerCommand = ["heavyjobs"],
            Db = "unused",
            HungAfter = TimeSpan.FromSeconds(hungAfter),
            WorkerHeartbeat = TimeSpan.FromSeconds(busy),
            WorkerIdleHeartbeat = TimeSpan.FromSeconds(idle),
        };

        Assert.Equal(TimeSpan.FromSeconds(expectedPeriod), options.EffectiveWorkerIdleHeartbeat);
        Assert.Equal(TimeSpan.FromSeconds(expectedIdleHung), options.IdleHungAfter);
        Assert.True(options.IdleHungAfter >= options.EffectiveWorkerIdleHeartbeat * 3, why);
    }
}
