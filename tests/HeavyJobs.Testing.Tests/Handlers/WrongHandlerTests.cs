using System.Globalization;
using HeavyJobs.Core.Handlers;

namespace HeavyJobs.Testing.Tests.Handlers;

/// <summary>
/// Handlers that break the checkpoint contract in the usual ways. Each passes a clean run; the harness's
/// kill exposes it, which is what a user's test of their own handler would catch.
/// </summary>
public sealed class WrongHandlerTests
{
    private static readonly string[] Items = [.. Enumerable.Range(0, 6).Select(i => i.ToString(CultureInfo.InvariantCulture))];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static HandlerHarness For(Func<IChunkHandler> factory) => HandlerHarness.For(factory).WithInput(new { count = 6 });

    [Fact]
    public async Task CursorAdvancedBeforeTheWork_LosesAnItem_WhenKilled()
    {
        Assert.Equal(Items, (await For(() => new CursorFirstHandler()).RunAsync(Ct)).Outputs.Select(o => o.Key));

        var result = await For(() => new CursorFirstHandler()).KillAfterCheckpoint(2).RunAsync(Ct);

        // Checkpoint 2 said item 1 was done; the item was output after it, and died with the worker.
        Assert.Equal(["0", "2", "3", "4", "5"], result.Outputs.Select(o => o.Key));
    }

    [Fact]
    public async Task CursorIgnored_CommitsItemsTwice_WhenKilled()
    {
        Assert.Empty((await For(() => new CursorIgnoredHandler()).RunAsync(Ct)).DuplicateOutputs);

        var result = await For(() => new CursorIgnoredHandler()).KillAfterCheckpoint(3).RunAsync(Ct);

        Assert.Equal(["0", "1", "2"], result.DuplicateOutputs.Select(o => o.Key));
    }

    [Fact]
    public async Task OutputsKeptInMemoryUntilTheEnd_AreLost_WhenKilledAfterTheLastCheckpoint()
    {
        Assert.Equal(Items, (await For(() => new OutputsAtTheEndHandler()).RunAsync(Ct)).Outputs.Select(o => o.Key));

        var result = await For(() => new OutputsAtTheEndHandler()).KillAfterCheckpoint(6).RunAsync(Ct);

        // The completion would have committed them; the fresh handler resumed past every item with nothing to write.
        Assert.Equal(Items, result.Runs[0].Discarded.Outputs.Select(o => o.Key));
        Assert.Empty(result.Outputs);
    }

    /// <summary>Checkpoints an item as done, then does it.</summary>
    private sealed class CursorFirstHandler : IChunkHandler
    {
        public async ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken)
        {
            var count = context.Input.GetProperty("count").GetInt32();
            for (var i = context.Cursor is { } c ? int.Parse(c, CultureInfo.InvariantCulture) : 0; i < count; i++)
            {
                await context.CheckpointAsync((i + 1).ToString(CultureInfo.InvariantCulture), cancellationToken);
                context.Output(i.ToString(CultureInfo.InvariantCulture), "x");
            }
        }
    }

    /// <summary>Checkpoints properly but always starts from the first item.</summary>
    private sealed class CursorIgnoredHandler : IChunkHandler
    {
        public async ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken)
        {
            var count = context.Input.GetProperty("count").GetInt32();
            for (var i = 0; i < count; i++)
            {
                context.Output(i.ToString(CultureInfo.InvariantCulture), "x");
                await context.CheckpointAsync((i + 1).ToString(CultureInfo.InvariantCulture), cancellationToken);
            }
        }
    }

    /// <summary>Checkpoints its cursor per item but keeps the outputs in a list of its own, written at the end.</summary>
    private sealed class OutputsAtTheEndHandler : IChunkHandler
    {
        private readonly List<string> _done = [];

        public async ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken)
        {
            var count = context.Input.GetProperty("count").GetInt32();
            for (var i = context.Cursor is { } c ? int.Parse(c, CultureInfo.InvariantCulture) : 0; i < count; i++)
            {
                _done.Add(i.ToString(CultureInfo.InvariantCulture));
                await context.CheckpointAsync((i + 1).ToString(CultureInfo.InvariantCulture), cancellationToken);
            }

            foreach (var item in _done)
            {
                context.Output(item, "x");
            }
        }
    }
}
