using HeavyJobs.Core.Handlers;
using HeavyJobs.Core.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace HeavyJobs.Testing.Tests;

public sealed class TestChunkContextTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Work_IsBuffered_UntilACheckpointCommitsItWithTheCursor()
    {
        var context = new TestChunkContext();
        context.Output("a", "1");
        context.Emit(new EmittedChunk(1, "next", "{}", "k"));
        context.Add(2, good: 1, bad: 1);

        Assert.Empty(context.Outputs);
        Assert.Empty(context.Emitted);
        Assert.Equal(new ChunkCounters(2, 1, 1), context.Counters);
        Assert.Equal(ChunkCounters.Zero, context.CommittedCounters);
        Assert.Equal([new ChunkOutput("a", "1")], context.PendingOutputs);

        await context.CheckpointAsync("c1", Ct);
        context.Add(1, good: 1);

        var checkpoint = Assert.Single(context.Checkpoints);
        Assert.Equal((TestCommitKind.Checkpoint, "c1", new ChunkCounters(2, 1, 1)), (checkpoint.Kind, checkpoint.Cursor, checkpoint.Counters));
        Assert.Equal([new ChunkOutput("a", "1")], checkpoint.Outputs);
        Assert.Equal([new ChunkOutput("a", "1")], context.Outputs);
        Assert.Single(context.Emitted);
        Assert.Empty(context.PendingOutputs);
        Assert.Equal("c1", context.Cursor);
        Assert.Equal(new ChunkCounters(3, 2, 1), context.Counters);
        Assert.Equal(new ChunkCounters(1, 1, 0), context.PendingCounters);
    }

    [Fact]
    public async Task Complete_CommitsWhatIsBuffered_AtTheLastCursor_AndLaterCheckpointsLoseTheLease()
    {
        var context = new TestChunkContext { Cursor = "start", CommittedCounters = new ChunkCounters(10, 10, 0) };
        await context.CheckpointAsync("mid", Ct);
        context.Output("late", "x");
        context.Add(1);

        context.Complete();

        var completion = context.Checkpoints[^1];
        Assert.Equal((TestCommitKind.Completion, "mid", new ChunkCounters(11, 10, 0)), (completion.Kind, completion.Cursor, completion.Counters));
        Assert.Equal([new ChunkOutput("late", "x")], completion.Outputs);
        Assert.True(context.IsCompleted);
        await Assert.ThrowsAsync<LeaseLostException>(async () => await context.CheckpointAsync("after", Ct));
    }

    [Fact]
    public async Task ReadOutputs_ServesSeededAndCommittedOutputs_NeverBufferedOnes()
    {
        var context = new TestChunkContext { ChunkId = 9, Stage = 1 };
        var fetched = context.SeedOutput(chunkId: 5, stage: 0, "a.example", "raw a");
        context.SeedOutput(chunkId: 6, stage: 0, "b.example", "raw b");
        context.Output("a.example", "parsed a");

        var all = await context.ReadOutputsAsync(new OutputQuery(), 0, 100, Ct);
        Assert.Equal(["raw a", "raw b"], all.Select(o => o.Data));
        Assert.Equal([fetched], await context.ReadOutputsAsync(new OutputQuery(ChunkId: 5), 0, 100, Ct));
        Assert.Equal(["raw b"], (await context.ReadOutputsAsync(new OutputQuery(Stage: 0), fetched.Id, 100, Ct)).Select(o => o.Data));

        await context.CheckpointAsync("done", Ct);
        var own = Assert.Single(await context.ReadOutputsAsync(new OutputQuery(Stage: 1), 0, 100, Ct));
        Assert.Equal((9L, 1, "parsed a"), (own.ChunkId, own.Stage, own.Data));
        Assert.True(own.Id > fetched.Id);
    }

    [Fact]
    public async Task EmittedChunks_AreCreatedOncePerDedupeKey()
    {
        var context = new TestChunkContext();
        context.Emit(new EmittedChunk(1, "next", """{"n":1}""", "k1"));
        await context.CheckpointAsync("1", Ct);
        context.Emit(new EmittedChunk(1, "next", """{"n":2}""", "k1"));
        context.Emit(new EmittedChunk(1, "next", """{"n":3}""", "k2"));
        await context.CheckpointAsync("2", Ct);

        Assert.Equal(["""{"n":1}""", """{"n":3}"""], context.Emitted.Select(e => e.Input));
        Assert.Equal(2, context.Checkpoints[1].Emitted.Count);
    }

    [Fact]
    public async Task FreshMarks_LandWithTheCheckpoint_OnlyOnKeysOfTheSet_KeepingTheLastRecordWhenGivenNone()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var context = new TestChunkContext(time);
        context.SeedKey("a", refreshedAt: null, latest: "old a");
        context.SeedKey("b");
        context.MarkFresh("a");
        context.MarkFresh("b", "new b");
        context.MarkFresh("stranger", "x");

        Assert.All(await context.ReadKeySetAsync(null, 10, Ct), k => Assert.Null(k.RefreshedAt));
        await context.CheckpointAsync("1", Ct);

        Assert.Equal(
            [new KeyState("a", time.GetUtcNow(), "old a"), new KeyState("b", time.GetUtcNow(), "new b")],
            await context.ReadKeySetAsync(null, 10, Ct));
        Assert.Equal(["b"], (await context.ReadKeySetAsync("a", 10, Ct)).Select(k => k.Key));
    }

    [Fact]
    public void Logger_CapturesEveryLine_WithItsLevel()
    {
        var context = new TestChunkContext();
        context.Logger.LogWarning("Domain {Domain} answered nothing", "a.example");

        var line = Assert.Single(context.Log);
        Assert.Equal((LogLevel.Warning, "Domain a.example answered nothing"), (line.Level, line.Message));
    }

    [Fact]
    public async Task Turns_SayHowATurnIsGiven_AndEveryRequestIsStillRecorded()
    {
        var given = new TaskCompletionSource<IAsyncDisposable>();
        var context = new TestChunkContext { Turns = (resource, limit, ct) => new ValueTask<IAsyncDisposable>(given.Task) };

        var waiting = context.LimitAsync("whois:a", new ResourceLimit(1, 1, TimeSpan.FromMinutes(1)), Ct);
        Assert.False(waiting.IsCompleted);
        var turn = new CountingTurn();
        given.SetResult(turn);
        await (await waiting).DisposeAsync();

        Assert.Equal(1, turn.Disposed);
        Assert.Equal(["whois:a"], context.LimitRequests);
    }

    private sealed class CountingTurn : IAsyncDisposable
    {
        public int Disposed { get; private set; }

        public ValueTask DisposeAsync()
        {
            Disposed++;
            return ValueTask.CompletedTask;
        }
    }
}
