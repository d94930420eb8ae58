using HeavyJobs.Core.Model;

namespace HeavyJobs.Testing.Tests;

public sealed class HandlerHarnessTests
{
    private static readonly string[] TenItems = [.. Enumerable.Range(0, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static HandlerHarness Counting(Func<CountingHandler>? factory = null) =>
        HandlerHarness.For(factory ?? (() => new CountingHandler())).WithInput(new { count = 10, every = 3 });

    [Fact]
    public async Task CleanRun_CommitsEachCheckpoint_AndTheRestWithTheCompletion()
    {
        var result = await Counting().RunAsync(Ct);

        Assert.True(result.Completed);
        Assert.Equal(TenItems, result.Outputs.Select(o => o.Key));
        Assert.Equal(["3", "6", "9", "9"], result.Commits.Select(c => c.Cursor));
        Assert.Equal(TestCommitKind.Completion, result.Commits[^1].Kind);
        Assert.Equal(["9"], result.Commits[^1].Outputs.Select(o => o.Key));
        Assert.Equal(3, result.Checkpoints.Count);
        Assert.Equal(new ChunkCounters(10, 10, 0), result.Counters);
        Assert.Equal(RunEnding.Completed, Assert.Single(result.Runs).Ending);
    }

    [Fact]
    public async Task KillAfterCheckpoint_LosesTheWorkSinceIt_AndAFreshHandlerResumesFromItsCursor()
    {
        var made = 0;
        var result = await Counting(() => { made++; return new CountingHandler(); }).KillAfterCheckpoint(1).RunAsync(Ct);

        Assert.Equal(2, made);
        Assert.Equal(
            [(RunEnding.Killed, (string?)null, 0, 1), (RunEnding.Completed, "3", 0, 2)],
            result.Runs.Select(r => (r.Ending, r.StartCursor, r.Attempts, r.Checkpoints)));
        Assert.Equal(["3", "4", "5"], result.Runs[0].Discarded.Outputs.Select(o => o.Key));
        Assert.Equal(new ChunkCounters(3, 3, 0), result.Runs[0].Discarded.Counters);
        Assert.Equal(TenItems, result.Outputs.Select(o => o.Key));
        Assert.Empty(result.DuplicateOutputs);
        Assert.Equal(new ChunkCounters(10, 10, 0), result.Counters);
    }

    [Fact]
    public async Task AKillAfterTheLastCheckpoint_LosesWhatTheCompletionWouldHaveCommitted()
    {
        var result = await Counting().KillAfterCheckpoint(3).RunAsync(Ct);

        Assert.Equal([RunEnding.Killed, RunEnding.Completed], result.Runs.Select(r => r.Ending));
        Assert.Equal(["9"], result.Runs[0].Discarded.Outputs.Select(o => o.Key));
        Assert.Equal("9", result.Runs[1].StartCursor);
        Assert.Equal(TenItems, result.Outputs.Select(o => o.Key));
    }

    [Fact]
    public async Task AFailure_CountsAnAttempt_AndTheChunkIsRetriedFromItsLastCheckpoint()
    {
        var result = await Counting(() => new CountingHandler(failAt: (context, item) => context.Attempts == 0 && item == 4)).RunAsync(Ct);

        Assert.Equal([(RunEnding.Failed, 0, (string?)null), (RunEnding.Completed, 1, "3")], result.Runs.Select(r => (r.Ending, r.Attempts, r.StartCursor)));
        Assert.Equal("item 4 failed", result.LastError?.Message);
        Assert.Equal(["3"], result.Runs[0].Discarded.Outputs.Select(o => o.Key));
        Assert.Equal(TenItems, result.Outputs.Select(o => o.Key));
    }

    [Fact]
    public async Task AChunkThatKeepsFailing_FailsForGood_AtTheMaximumAttempts()
    {
        var result = await Counting(() => new CountingHandler(failAt: (_, item) => item == 4)).WithMaxAttempts(3).RunAsync(Ct);

        Assert.False(result.Completed);
        Assert.Equal([0, 1, 2], result.Runs.Select(r => r.Attempts));
        Assert.All(result.Runs, r => Assert.Equal(RunEnding.Failed, r.Ending));
        Assert.Equal(["0", "1", "2"], result.Outputs.Select(o => o.Key));
    }

    [Fact]
    public async Task AStop_ThatTheHandlerHonoursByThrowing_LosesNothingCheckpointed_AndTheChunkRunsOn()
    {
        var result = await Counting().StopAtCheckpoint(2).RunAsync(Ct);

        Assert.Equal(
            [(RunEnding.Stopped, 0, 2, 0), (RunEnding.Completed, 0, 1, 0)],
            result.Runs.Select(r => (r.Ending, r.Attempts, r.Checkpoints, r.CheckpointsAfterStop)));
        Assert.True(result.Runs[0].Discarded.IsEmpty);
        Assert.Equal("6", result.Runs[1].StartCursor);
        Assert.Equal(TenItems, result.Outputs.Select(o => o.Key));
    }

    [Fact]
    public async Task AStop_ThatTheHandlerAnswersByReturning_DropsWhatItDidAfterItsLastCheckpoint_WithoutFinishingTheChunk()
    {
        var result = await Counting(() => new CountingHandler(returnOnStop: true)).StopAtCheckpoint(1).RunAsync(Ct);

        // Returning after a stop means "my last checkpoint is where I am" (docs/handlers.md): what the handler
        // buffered after it is dropped, and the next run starts from that checkpoint.
        Assert.Equal([RunEnding.ReturnedAfterStop, RunEnding.Completed], result.Runs.Select(r => r.Ending));
        Assert.Equal([new ChunkOutput("stopped", "3")], result.Runs[0].Discarded.Outputs);
        Assert.DoesNotContain(result.Commits, c => c.Run == 1 && c.Kind == TestCommitKind.Completion);
        Assert.Equal("3", result.Runs[1].StartCursor);
        Assert.Equal(TenItems, result.Outputs.Select(o => o.Key));
    }

    [Fact]
    public async Task APlannedFaultThatNeverComes_FailsTheRun()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Counting().KillAfterCheckpoint(7).RunAsync(Ct));

        Assert.Contains("[7]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KillAtRandom_IsTheSameForTheSameSeed()
    {
        var harness = HandlerHarness.For(() => new CountingHandler()).WithInput(new { count = 100, every = 2 }).KillAtRandom(seed: 11, kills: 3);

        var first = await harness.RunAsync(Ct);
        var second = await harness.RunAsync(Ct);

        Assert.Equal(3, first.Kills);
        Assert.Equal(first.Runs.Select(r => r.StartCursor), second.Runs.Select(r => r.StartCursor));
        Assert.Equal(100, first.Outputs.Count);
        Assert.Empty(first.DuplicateOutputs);
    }
}
