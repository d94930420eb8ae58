using HeavyJobs.Runtime.Monitor;

namespace HeavyJobs.Runtime.Tests.Monitor;

public sealed class MonitorOptionsTests
{
    [Theory]
    [InlineData("the defaults: 5 s, well inside 15 s", 15, 1, 5, 5)]
    [InlineData("a short hung-after caps it at a third", 6, 1, 5, 2)]
    [InlineData("never below the busy period", 2, 1, 5, 1)]
    [InlineData("a long idle period asked for is kept when hung-after allows it", 60, 1, 20, 20)]
    public void IdleWorkersAreGivenAHeartbeatThatHungDetectionAllows(string why, int hungAfter, int busy, int idle, int expected)
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

        Assert.Equal(TimeSpan.FromSeconds(expected), options.EffectiveWorkerIdleHeartbeat);
    }
}
