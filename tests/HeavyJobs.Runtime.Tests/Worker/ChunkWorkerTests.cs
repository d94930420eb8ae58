using System.Text.Json;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Handlers;
using HeavyJobs.Core.Model;
using HeavyJobs.Runtime.Jobs;
using HeavyJobs.Runtime.Worker;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace HeavyJobs.Runtime.Tests.Worker;

public sealed class ChunkWorkerTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly GateHandler.Gate _gate = new();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "heavyjobs-tests", Guid.NewGuid().ToString("N"));
    private SqliteStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = new SqliteStore(Path.Combine(_dir, "w.db"), new SqliteStoreOptions { Synchronous = "NORMAL" }, _time);
        await _store.MigrateAsync(Ct);
    }

    public async ValueTask DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task RunAsync_CompletesEveryChunk_AndWritesEachItemOnce()
    {
        var job = await SubmitAsync("count", chunks: 5, itemsPerChunk: 10);
        var (host, run, stop) = Start(concurrency: 2);

        await UntilAsync(host, async () => (await _store.ChunkListAsync(new ChunkListParams(job), Ct)).All(c => c.State == ChunkState.Done));
        await stop.CancelAsync();
        await run;

        var outputs = await _store.OutputListAsync(new OutputListParams(job), Ct);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"item-{i}"), outputs.Select(o => o.Key).Order(StringComparer.Ordinal).OrderBy(k => int.Parse(k[5..], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(50, host.Samples.Sum(s => s.Items));
        Assert.Equal("stopped", host.StopReason);
    }

    [Fact]
    public async Task Stop_CheckpointsAndGivesTheChunkBack_AndAnotherWorkerResumesIt()
    {
        var job = await SubmitAsync("gate", chunks: 1, itemsPerChunk: 10);
        var (_, run, stop) = Start();
        await _gate.AtFive.Task.WaitAsync(Ct);

        await stop.CancelAsync();
        await run;

        var chunk = Assert.Single(await _store.ChunkListAsync(new ChunkListParams(job), Ct));
        Assert.Equal(ChunkState.Pending, chunk.State);
        Assert.Equal("5", chunk.Cursor);
        Assert.Equal(0, chunk.Attempts);
        var (host2, run2, stop2) = Start();
        await UntilAsync(host2, async () => (await _store.ChunkGetAsync(chunk.Id, Ct))!.State == ChunkState.Done);
        await stop2.CancelAsync();
        await run2;
        var outputs = await _store.OutputListAsync(new OutputListParams(job), Ct);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"item-{i}"), outputs.Select(o => o.Key));
        Assert.Equal(2, (await _store.ChunkGetAsync(chunk.Id, Ct))!.Holders.Count);
    }

    [Fact]
    public async Task LeaseLost_TheHandlerStopsWritingAndTheWorkerCarriesOn()
    {
        var job = await SubmitAsync("gate", chunks: 1, itemsPerChunk: 10);
        var (host, run, stop) = Start();
        await _gate.AtFive.Task.WaitAsync(Ct);
        var chunk = Assert.Single(await _store.ChunkListAsync(new ChunkListParams(job), Ct));

        Assert.True(await _store.ChunkResetAsync(new ChunkResetParams(chunk.Id, ToZero: true, "test", _time.GetUtcNow()), Ct));
        _gate.Open.SetResult();
        host.Wake();

        await UntilAsync(host, async () => (await _store.ChunkGetAsync(chunk.Id, Ct))!.State == ChunkState.Done);
        await stop.CancelAsync();
        await run;
        var outputs = await _store.OutputListAsync(new OutputListParams(job), Ct);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"item-{i}"), outputs.Select(o => o.Key));
    }

    [Fact]
    public async Task FailingHandler_RetriesAfterItsBackoff_ThenFailsWithItsHistory()
    {
        var job = await SubmitAsync("fail", chunks: 1, itemsPerChunk: 1, maxAttempts: 2);
        var (host, run, stop) = Start();
        await UntilAsync(host, async () => (await _store.ChunkListAsync(new ChunkListParams(job), Ct))[0].Attempts == 1);
        var first = (await _store.ChunkListAsync(new ChunkListParams(job), Ct))[0];
        Assert.Equal(ChunkState.Pending, first.State);
        Assert.True(first.RunAfter > _time.GetUtcNow(), "the retry waits for its back-off");

        _time.Advance(TimeSpan.FromMinutes(11));
        host.Wake();
        await UntilAsync(host, async () => (await _store.ChunkListAsync(new ChunkListParams(job), Ct))[0].State == ChunkState.Failed);
        await stop.CancelAsync();
        await run;

        var chunk = (await _store.ChunkListAsync(new ChunkListParams(job), Ct))[0];
        using var errors = JsonDocument.Parse(chunk.Errors);
        Assert.Equal(
            ["InvalidOperationException: boom on attempt 1", "InvalidOperationException: boom on attempt 2"],
            errors.RootElement.EnumerateArray().Select(e => e.GetProperty("error").GetString()));
    }

    [Fact]
    public async Task Idle_TheWorkerBlocksOnItsWakeUp_AndClaimsOnlyWhenWoken()
    {
        var (host, run, stop) = Start();
        await host.AsleepAsync(Ct);
        var idle = host.Reports.Last();
        Assert.Equal(WorkerState.Idle, idle.State);

        // Time passes (short of the fallback poll) and nothing wakes it: it stays asleep, it does not spin.
        _time.Advance(WorkerDefaults.IdleFallbackPoll - TimeSpan.FromSeconds(1));
        Assert.Equal(1, host.Waits);

        var job = await SubmitAsync("count", chunks: 1, itemsPerChunk: 3);
        host.Wake();
        await UntilAsync(host, async () => (await _store.ChunkListAsync(new ChunkListParams(job), Ct))[0].State == ChunkState.Done);
        await stop.CancelAsync();
        await run;
        Assert.Contains(host.Reports, r => r.State == WorkerState.Busy);
    }

    private (TestWorkerHost Host, Task Run, CancellationTokenSource Stop) Start(int concurrency = 1)
    {
        var registry = HandlerRegistry.CreateBuilder()
            .Add<CountingHandler>("count")
            .Add("gate", () => new GateHandler(_gate))
            .Add<FailingHandler>("fail")
            .Build();
        var host = new TestWorkerHost(_store, _time);
        var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var worker = new ChunkWorker(_store, registry, host, new WorkerOptions { Concurrency = concurrency }, _time, NullLoggerFactory.Instance);
        return (host, Task.Run(() => worker.RunAsync(stop.Token), Ct), stop);
    }

    /// <summary>Waits for the worker to go to sleep until the condition holds; every sleep is a point where the worker has nothing left to do.</summary>
    private static async Task UntilAsync(TestWorkerHost host, Func<Task<bool>> condition)
    {
        while (!await condition())
        {
            await host.AsleepAsync(Ct);
        }
    }

    private async Task<long> SubmitAsync(string type, int chunks, int itemsPerChunk, int maxAttempts = 5)
    {
        var definition = new JobDefinition(
            type,
            [new StageDefinition("main", type, StageMode.Streaming)],
            JsonSerializer.SerializeToElement(new { every = 3 }),
            new ChunkSplit.Range(0, chunks * itemsPerChunk, itemsPerChunk),
            0,
            maxAttempts);
        var registry = HandlerRegistry.CreateBuilder().Add<CountingHandler>("count").Add<CountingHandler>("gate").Add<FailingHandler>("fail").Build();
        return (await JobSubmitter.SubmitAsync(_store, registry, definition, "test", _dir, _time, Ct)).JobId;
    }
}
