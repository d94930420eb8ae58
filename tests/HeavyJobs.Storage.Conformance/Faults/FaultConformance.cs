using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Faults;

namespace HeavyJobs.Storage.Conformance.Faults;

/// <summary>
/// How a store meets storage faults injected below its retry: passing ones (serialization failures, deadlocks,
/// timeouts, a busy database, a lost connection) are retried and the write lands once; a full disk fails the
/// call with a clear error and writes nothing. The rest of the suite also runs with random faults on.
/// </summary>
public abstract class FaultConformance(IStoreProvider provider, FaultInjector faults) : ConformanceBase(provider)
{
    public static readonly TheoryData<InjectedFault> PassingFaults =
        [InjectedFault.SerializationFailure, InjectedFault.Deadlock, InjectedFault.Timeout, InjectedFault.Busy, InjectedFault.ConnectionLost];

    [Theory]
    [MemberData(nameof(PassingFaults))]
    public async Task APassingFault_BeforeTheCommit_IsRetried_AndTheCheckpointLandsOnce(InjectedFault fault)
    {
        var job = await InsertJobAsync(1);
        var chunk = await ClaimOneAsync(1);
        faults.FailNext(StoreFaultPoint.BeforeCommit, fault, count: 3);

        var outcome = await CheckpointAsync(chunk, "2", new ChunkCounters(2, 2, 0), outputs: [new ChunkOutput("a", "1"), new ChunkOutput("b", "2")]);

        Assert.Equal(CheckpointOutcome.Committed, outcome);
        Assert.Equal(3, faults.Injected[fault]);
        Assert.Equal(["a", "b"], (await Store.OutputListAsync(new OutputListParams(job.JobId), Ct)).Select(o => o.Key));
        var row = await GetAsync(chunk.Id);
        Assert.Equal("2", row.Cursor);
        Assert.Equal(new ChunkCounters(2, 2, 0), row.Counters);
    }

    [Theory]
    [MemberData(nameof(PassingFaults))]
    public async Task APassingFault_AsTheConnectionOpens_IsRetried_AndTheClaimTakesTheChunkOnce(InjectedFault fault)
    {
        await InsertJobAsync(2);
        faults.FailNext(StoreFaultPoint.Opened, fault, count: 2);

        var claimed = await Store.ChunkClaimAsync(new ChunkClaimParams(1, ["t"], 1, Now, Lease), Ct);

        Assert.Equal(2, faults.Injected[fault]);
        var one = Assert.Single(claimed);
        var rows = await Store.ChunkListAsync(new ChunkListParams(one.JobId), Ct);
        Assert.Single(rows, r => r.State == ChunkState.Running);
        // The attempts that failed were rolled back whole: the lease the claim returned is the one the store holds.
        Assert.Equal(one.Epoch, (await GetAsync(one.Id)).Epoch);
    }

    [Fact]
    public async Task ADiskFull_FailsTheCheckpointWithAClearError_WritesNothing_AndTheSameCheckpointLandsOnceSpaceIsBack()
    {
        var job = await InsertJobAsync(1);
        var chunk = await ClaimOneAsync(1);
        Assert.Equal(CheckpointOutcome.Committed, await CheckpointAsync(chunk, "1", new ChunkCounters(1, 1, 0), outputs: [new ChunkOutput("a", "1")]));
        faults.FailNext(StoreFaultPoint.BeforeCommit, InjectedFault.DiskFull);

        var error = await Assert.ThrowsAsync<StoreFullException>(() => CheckpointAsync(
            chunk, "3", new ChunkCounters(3, 3, 0), outputs: [new ChunkOutput("b", "2"), new ChunkOutput("c", "3")], emitted: [new EmittedChunk(1, "next", "{}", "e")]));

        Assert.Contains("full", error.Message, StringComparison.Ordinal);
        Assert.Contains("wrote nothing", error.Message, StringComparison.Ordinal);
        // Not retried: the one fault queued was met once, and nothing of the checkpoint is in the store.
        Assert.Equal(1, faults.Injected[InjectedFault.DiskFull]);
        var row = await GetAsync(chunk.Id);
        Assert.Equal("1", row.Cursor);
        Assert.Equal(new ChunkCounters(1, 1, 0), row.Counters);
        Assert.Equal(["a"], (await Store.OutputListAsync(new OutputListParams(job.JobId), Ct)).Select(o => o.Key));
        Assert.Empty(await Store.ChunkClaimAsync(new ChunkClaimParams(2, ["next"], 10, Now, Lease), Ct));

        Assert.Equal(CheckpointOutcome.Committed, await CheckpointAsync(
            chunk, "3", new ChunkCounters(3, 3, 0), outputs: [new ChunkOutput("b", "2"), new ChunkOutput("c", "3")], emitted: [new EmittedChunk(1, "next", "{}", "e")]));
        Assert.Equal(["a", "b", "c"], (await Store.OutputListAsync(new OutputListParams(job.JobId), Ct)).Select(o => o.Key));
    }

    [Fact]
    public async Task RandomPassingFaults_OnEveryCall_AreMetAndRetried_AndEveryChunkEndsDoneOnceWithItsOutputsOnce()
    {
        const int Chunks = 60;
        var job = await InsertJobAsync(Chunks);
        faults.Probability = 0.3;

        for (var i = 0; i < Chunks; i++)
        {
            var chunk = await ClaimOneAsync(1 + (i % 3));
            Assert.Equal(CheckpointOutcome.Committed, await CheckpointAsync(chunk, "half", new ChunkCounters(1, 1, 0), outputs: [new ChunkOutput($"{chunk.Id}-1", "1")]));
            Assert.Equal(CheckpointOutcome.Committed, await CheckpointAsync(chunk, "end", new ChunkCounters(2, 2, 0), complete: true, outputs: [new ChunkOutput($"{chunk.Id}-2", "2")]));
        }

        faults.Probability = 0;
        Assert.True(faults.Total >= Chunks / 2, $"only {faults.Total} faults were injected");
        var rows = await Store.ChunkListAsync(new ChunkListParams(job.JobId), Ct);
        Assert.All(rows, r => Assert.Equal((ChunkState.Done, 2L), (r.State, r.Counters.Done)));
        var outputs = await Store.OutputListAsync(new OutputListParams(job.JobId), Ct);
        Assert.Equal(2 * Chunks, outputs.Count);
        Assert.Equal(2 * Chunks, outputs.Select(o => o.Key).Distinct().Count());
        TestContext.Current.SendDiagnosticMessage($"injected {faults.Total} faults: {string.Join(", ", faults.Injected.Select(kv => $"{kv.Key} {kv.Value}"))}");
    }
}
