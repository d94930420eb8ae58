using System.Text.Json;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Workers;

namespace HeavyJobs.Runtime.Tests.Monitor;

/// <summary>A test class that runs real monitor processes on a database of its own, per store kind.</summary>
public abstract class ProcessScenario(string kind) : IAsyncLifetime
{
    private MonitorRun? _run;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected static TimeSpan Within => MonitorRun.Within;

    protected string Kind => kind;

    internal MonitorRun Run => _run ?? throw new InvalidOperationException("Not initialised.");

    protected IHeavyStore Store => Run.Store;

    public async ValueTask InitializeAsync() => _run = await MonitorRun.CreateAsync(kind, Ct);

    public async ValueTask DisposeAsync()
    {
        if (_run is not null)
        {
            await _run.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    protected async Task<List<WorkerRow>> LiveAsync() => [.. await Store.WorkerListAsync(new WorkerListParams(Run.Node), Ct)];

    protected async Task<ChunkRow> ChunkAsync(long job) => (await Store.ChunkListAsync(new ChunkListParams(job), Ct))[0];

    protected async Task<IReadOnlyList<ActionRow>> ActionsAsync() => await Store.ActionListAsync(new ActionListParams(1000), Ct);

    protected async Task AssertEveryItemOnceAsync(long job, int items)
    {
        var keys = (await Store.OutputListAsync(new OutputListParams(job), Ct)).Select(o => o.Key).ToList();
        Assert.Equal(items, keys.Count);
        Assert.Equal(Enumerable.Range(0, items).Select(i => $"item-{i}").Order(StringComparer.Ordinal), keys.Order(StringComparer.Ordinal));
    }

    protected Task<long> SubmitAsync(string type, int items, int perChunk, int sleepMs = 0, int every = 10) =>
        SubmitAsync(type, items, perChunk, JsonSerializer.Serialize(new { sleepMs, every }));

    /// <summary>A job of <paramref name="items"/> items in chunks of <paramref name="perChunk"/>, with the handler's parameters as given.</summary>
    protected async Task<long> SubmitAsync(string type, int items, int perChunk, string parameters)
    {
        var inserted = await Store.JobInsertAsync(
            new JobInsertParams(
                type,
                [new StageDefinition("main", type, StageMode.Streaming)],
                parameters,
                Enumerable.Range(0, (items + perChunk - 1) / perChunk).Select(i => $$"""{"start":{{i * perChunk}},"end":{{Math.Min(items, (i + 1) * perChunk)}}}"""),
                0,
                5,
                TimeProvider.System.GetUtcNow()),
            Ct);
        return inserted.JobId;
    }
}
