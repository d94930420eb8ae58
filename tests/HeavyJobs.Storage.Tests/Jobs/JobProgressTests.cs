using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Jobs;

namespace HeavyJobs.Storage.Tests.Jobs;

public sealed class JobProgressTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly StageDefinition[] Pipeline =
    [
        new("fetch", "f", StageMode.Streaming),
        new("parse", "p", StageMode.Streaming),
        new("aggregate", "a", StageMode.Barrier),
    ];

    [Fact]
    public void Stages_ShowTheirOwnPace_AndNoStageFinishesBeforeTheOnesFeedingIt()
    {
        // Ten minutes old: the pace is measured over the last five. Fetch finished 50 chunks in that time
        // (10/min) and has 100 left; parse is quicker (30/min) but is fed by fetch; the barrier waits.
        var job = Job(Pipeline, Now.AddMinutes(-10));
        var progress = JobProgress.From(
            job,
            [
                Count(0, ChunkState.Done, 80, finishedSince: 50),
                Count(0, ChunkState.Pending, 95),
                Count(0, ChunkState.Running, 5),
                Count(1, ChunkState.Done, 150, finishedSince: 150),
                Count(1, ChunkState.Pending, 10),
            ],
            Now);

        var (fetch, parse, aggregate) = (progress.Stages[0], progress.Stages[1], progress.Stages[2]);
        Assert.Equal((180L, 80L, 5L, 100L), (fetch.Total, fetch.Done, fetch.Running, fetch.Remaining));
        Assert.Equal(10, fetch.ChunksPerMinute, 3);
        Assert.Equal(TimeSpan.FromMinutes(10), fetch.Eta);
        Assert.Equal(30, parse.ChunksPerMinute, 3);
        Assert.Equal(TimeSpan.FromMinutes(10), parse.Eta);
        Assert.False(parse.EtaIsLowerBound);
        Assert.Equal(TimeSpan.FromMinutes(10), aggregate.Eta);
        Assert.True(aggregate.EtaIsLowerBound);
        Assert.Equal(TimeSpan.FromMinutes(10), progress.Eta);
    }

    [Fact]
    public void AYoungJob_IsPacedOverItsOwnLife_AndAStageWithNothingFinishedHasNoEtaYet()
    {
        var job = Job(Pipeline, Now.AddMinutes(-1));
        var progress = JobProgress.From(job, [Count(0, ChunkState.Done, 20, finishedSince: 20), Count(0, ChunkState.Pending, 40), Count(1, ChunkState.Pending, 10)], Now);

        Assert.Equal(20, progress.Stages[0].ChunksPerMinute, 3);
        Assert.Equal(TimeSpan.FromMinutes(2), progress.Stages[0].Eta);
        Assert.Null(progress.Stages[1].Eta);
        Assert.Null(progress.Stages[2].Eta);
        Assert.Null(progress.Eta);
    }

    [Fact]
    public void AFinishedJob_IsDone()
    {
        var job = Job(Pipeline, Now.AddHours(-1)) with { State = JobState.Completed };
        var progress = JobProgress.From(job, [Count(0, ChunkState.Done, 20), Count(1, ChunkState.Done, 20), Count(2, ChunkState.Done, 1)], Now);

        Assert.All(progress.Stages, s => Assert.Equal(TimeSpan.Zero, s.Eta));
        Assert.Equal(TimeSpan.Zero, progress.Eta);
    }

    private static JobRow Job(IReadOnlyList<StageDefinition> stages, DateTimeOffset created) =>
        new(1, "refresh", JobState.Active, stages, "{}", 0, 3, created, created, null);

    private static StageStateCount Count(int stage, ChunkState state, long chunks, long finishedSince = 0) =>
        new(stage, state, chunks, new ChunkCounters(chunks * 10, chunks * 9, chunks), finishedSince);
}
