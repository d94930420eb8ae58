using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Conformance;
using HeavyJobs.Storage.Conformance.Faults;
using HeavyJobs.Storage.Faults;

namespace HeavyJobs.Storage.Postgres.Tests;

/// <summary>
/// A commit that landed but whose answer was lost with the connection: PostgreSQL only (a SQLite commit's outcome
/// is always known to its caller). Retrying it would write its outputs twice; it is not retried, the caller is told
/// the outcome is unknown, and the store holds the write exactly once.
/// </summary>
public sealed class PostgresCommitOutcomeTests : ConformanceBase
{
    private readonly FaultInjector _faults;

    public PostgresCommitOutcomeTests()
        : this(PostgresFaults.Injector(probability: 0))
    {
    }

    private PostgresCommitOutcomeTests(FaultInjector faults)
        : base(new PostgresStoreProvider(faults)) => _faults = faults;

    [Fact]
    public async Task ACheckpointWhoseAnswerIsLostAfterItsCommit_IsNotRetried_TheCallerHearsTheOutcomeIsUnknown_AndItLandedOnce()
    {
        var job = await InsertJobAsync(1);
        var chunk = await ClaimOneAsync(1);
        Assert.Equal(CheckpointOutcome.Committed, await CheckpointAsync(chunk, "1", new ChunkCounters(1, 1, 0), outputs: [new ChunkOutput("a", "1")]));
        _faults.FailNext(StoreFaultPoint.AfterCommit, InjectedFault.ConnectionLost);

        var error = await Assert.ThrowsAsync<StoreCommitUnknownException>(() => CheckpointAsync(
            chunk, "3", new ChunkCounters(3, 3, 0), outputs: [new ChunkOutput("b", "2"), new ChunkOutput("c", "3")], emitted: [new EmittedChunk(1, "next", "{}", "e")]));

        Assert.Contains("whether it landed is unknown", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, _faults.Injected[InjectedFault.ConnectionLost]);
        var row = await GetAsync(chunk.Id);
        Assert.Equal("3", row.Cursor);
        Assert.Equal(new ChunkCounters(3, 3, 0), row.Counters);
        Assert.Equal(["a", "b", "c"], (await Store.OutputListAsync(new OutputListParams(job.JobId), Ct)).Select(o => o.Key));
        Assert.Single(await Store.ChunkClaimAsync(new ChunkClaimParams(2, ["next"], 10, Now, Lease), Ct));
    }
}
