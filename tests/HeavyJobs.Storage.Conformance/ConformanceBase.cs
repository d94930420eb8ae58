using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;

namespace HeavyJobs.Storage.Conformance;

public abstract class ConformanceBase(IStoreProvider provider) : IAsyncLifetime
{
    protected static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    /// <summary>A pipeline's stages: fetch and parse stream, aggregate waits for both (a barrier).</summary>
    protected static readonly StageDefinition[] ThreeStages =
    [
        new("fetch", "f", StageMode.Streaming),
        new("parse", "p", StageMode.Streaming),
        new("aggregate", "a", StageMode.Barrier),
    ];

    private IHeavyStore? _store;

    protected IStoreProvider Provider => provider;

    protected IHeavyStore Store => _store ?? throw new InvalidOperationException("Not initialised.");

    /// <summary>The time every call passes; tests move it forward by hand.</summary>
    protected DateTimeOffset Now { get; set; } = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = await provider.CreateAsync(Ct);
        await _store.MigrateAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_store is not null)
        {
            await provider.DropAsync(_store, CancellationToken.None);
            await _store.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    protected Task<JobInserted> InsertJobAsync(int chunks, string type = "t", int priority = 0, int maxAttempts = 3, IHeavyStore? store = null) =>
        (store ?? Store).JobInsertAsync(
            new JobInsertParams(
                $"job-{Guid.NewGuid():N}",
                [new StageDefinition("main", type, StageMode.Streaming)],
                "{}",
                Enumerable.Range(0, chunks).Select(i => $$"""{"n":{{i}}}"""),
                priority,
                maxAttempts,
                Now),
            Ct);

    protected async Task<ClaimedChunk> ClaimOneAsync(long worker, string type = "t")
    {
        var claimed = await Store.ChunkClaimAsync(new ChunkClaimParams(worker, [type], 1, Now, Lease), Ct);
        return Assert.Single(claimed);
    }

    protected Task<CheckpointOutcome> CheckpointAsync(
        ClaimedChunk chunk,
        string? cursor,
        ChunkCounters counters,
        bool complete = false,
        IReadOnlyList<ChunkOutput>? outputs = null,
        IReadOnlyList<EmittedChunk>? emitted = null,
        long? epoch = null) =>
        Store.ChunkCheckpointAsync(
            new ChunkCheckpointParams(chunk.Id, chunk.JobId, chunk.Stage, epoch ?? chunk.Epoch, cursor, counters, outputs ?? [], emitted ?? [], complete, Now, Lease),
            Ct);

    protected async Task<ChunkRow> GetAsync(long chunkId) => (await Store.ChunkGetAsync(chunkId, Ct))!;
}
