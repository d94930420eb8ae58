using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;

namespace HeavyJobs.Storage.Conformance;

public abstract class CheckpointConformance(IStoreProvider provider) : ConformanceBase(provider)
{
    [Fact]
    public async Task ChunkCheckpointAsync_CommitsCursorCountersOutputsAndEmittedTogether()
    {
        var job = await InsertJobAsync(1);
        var chunk = await ClaimOneAsync(1);

        var outcome = await CheckpointAsync(
            chunk,
            "b",
            new ChunkCounters(2, 1, 1),
            outputs: [new ChunkOutput("a", "1"), new ChunkOutput("b", "2")],
            emitted: [new EmittedChunk(1, "next", """{"k":1}""", "k1")]);

        Assert.Equal(CheckpointOutcome.Committed, outcome);
        var row = await GetAsync(chunk.Id);
        Assert.Equal("b", row.Cursor);
        Assert.Equal(new ChunkCounters(2, 1, 1), row.Counters);
        Assert.Equal(ChunkState.Running, row.State);
        var outputs = await Store.OutputListAsync(new OutputListParams(job.JobId), Ct);
        Assert.Equal(["a", "b"], outputs.Select(o => o.Key));
        Assert.All(outputs, o => Assert.Equal(chunk.Id, o.ChunkId));
        var next = await Store.ChunkClaimAsync(new ChunkClaimParams(2, ["next"], 10, Now, Lease), Ct);
        Assert.Equal(1, Assert.Single(next).Stage);
    }

    [Fact]
    public async Task OutputListAsync_ByKeys_ReadsOnlyThoseKeysOfTheChunk_InIdOrder()
    {
        var job = await InsertJobAsync(2);
        var chunk = await ClaimOneAsync(1);
        var other = await ClaimOneAsync(1);
        Assert.Equal(CheckpointOutcome.Committed, await CheckpointAsync(chunk, "1", new ChunkCounters(4, 4, 0), outputs: [new ChunkOutput("d", "1"), new ChunkOutput("a", "2"), new ChunkOutput("c", "3"), new ChunkOutput("b", "4")]));
        Assert.Equal(CheckpointOutcome.Committed, await CheckpointAsync(other, "1", new ChunkCounters(1, 1, 0), outputs: [new ChunkOutput("a", "other")]));

        var read = await Store.OutputListAsync(new OutputListParams(job.JobId, ChunkId: chunk.Id, Keys: ["c", "a", "missing"]), Ct);

        Assert.Equal([("a", "2"), ("c", "3")], read.Select(o => (o.Key, o.Data)));
        Assert.Empty(await Store.OutputListAsync(new OutputListParams(job.JobId, ChunkId: chunk.Id, Keys: []), Ct));
        var after = await Store.OutputListAsync(new OutputListParams(job.JobId, AfterId: read[0].Id, ChunkId: chunk.Id, Keys: ["c", "a"]), Ct);
        Assert.Equal(["c"], after.Select(o => o.Key));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.OutputListAsync(new OutputListParams(job.JobId, Keys: [.. Enumerable.Range(0, OutputListParams.MaxKeys + 1).Select(i => $"k{i}")]), Ct));
    }

    [Fact]
    public async Task ChunkCheckpointAsync_StaleEpoch_ChangesNothingAndSaysSo()
    {
        var job = await InsertJobAsync(1);
        var chunk = await ClaimOneAsync(1);
        Assert.Equal(CheckpointOutcome.Committed, await CheckpointAsync(chunk, "1", new ChunkCounters(1, 1, 0), outputs: [new ChunkOutput("x", "1")]));
        Assert.True(await Store.ChunkResetAsync(new ChunkResetParams(chunk.Id, ToZero: false, "test", Now), Ct));
        // Held again by another worker: only the epoch tells the old holder's write from the new one's.
        var heir = await ClaimOneAsync(2);
        Assert.Equal(chunk.Id, heir.Id);

        var stale = await CheckpointAsync(
            chunk,
            "2",
            new ChunkCounters(2, 2, 0),
            complete: true,
            outputs: [new ChunkOutput("y", "2")],
            emitted: [new EmittedChunk(1, "next", "{}", "e")]);

        Assert.Equal(CheckpointOutcome.LeaseLost, stale);
        var row = await GetAsync(chunk.Id);
        Assert.Equal("1", row.Cursor);
        Assert.Equal(new ChunkCounters(1, 1, 0), row.Counters);
        Assert.Equal((ChunkState.Running, 2L), (row.State, row.LeaseOwner!.Value));
        Assert.Equal(["x"], (await Store.OutputListAsync(new OutputListParams(job.JobId), Ct)).Select(o => o.Key));
        Assert.Empty(await Store.ChunkClaimAsync(new ChunkClaimParams(2, ["next"], 10, Now, Lease), Ct));
    }

    [Fact]
    public async Task ChunkCheckpointAsync_Complete_FinishesTheChunk()
    {
        await InsertJobAsync(1);
        var chunk = await ClaimOneAsync(1);

        Assert.Equal(CheckpointOutcome.Committed, await CheckpointAsync(chunk, "end", new ChunkCounters(5, 4, 1), complete: true));

        var row = await GetAsync(chunk.Id);
        Assert.Equal(ChunkState.Done, row.State);
        Assert.Null(row.LeaseOwner);
        Assert.Equal(Now, row.FinishedAt);
        Assert.Equal(CheckpointOutcome.LeaseLost, await CheckpointAsync(chunk, "again", new ChunkCounters(6, 5, 1)));
    }

    [Fact]
    public async Task ChunkCompleteManyAsync_OnlyChunksStillHeldAtTheirEpoch()
    {
        await InsertJobAsync(3);
        var claimed = await Store.ChunkClaimAsync(new ChunkClaimParams(1, ["t"], 3, Now, Lease), Ct);
        Assert.True(await Store.ChunkResetAsync(new ChunkResetParams(claimed[1].Id, ToZero: true, "test", Now), Ct));

        var done = await Store.ChunkCompleteManyAsync(
            new ChunkCompleteManyParams(claimed.Select(c => new ChunkCompletion(c.Id, c.Epoch, "z", new ChunkCounters(3, 2, 1))).ToList(), Now),
            Ct);

        Assert.Equal([claimed[0].Id, claimed[2].Id], done.Order());
        Assert.Equal(ChunkState.Pending, (await GetAsync(claimed[1].Id)).State);
        var first = await GetAsync(claimed[0].Id);
        Assert.Equal(ChunkState.Done, first.State);
        Assert.Equal(new ChunkCounters(3, 2, 1), first.Counters);
    }

    // The stale holder's chunk is held again, so state and owner alone would let its completion through: only the
    // epoch refuses it (the chaos runner's frozen machine meets this only by chance).
    [Fact]
    public async Task ChunkCompleteManyAsync_ByAHolderWhoseChunkAnotherWorkerHoldsNow_IsRefusedByTheEpochAlone()
    {
        await InsertJobAsync(2);
        var stale = await Store.ChunkClaimAsync(new ChunkClaimParams(1, ["t"], 2, Now, Lease), Ct);
        foreach (var c in stale)
        {
            Assert.True(await Store.ChunkResetAsync(new ChunkResetParams(c.Id, ToZero: true, "test", Now), Ct));
        }

        var held = await Store.ChunkClaimAsync(new ChunkClaimParams(2, ["t"], 2, Now, Lease), Ct);
        Assert.Equal(stale.Select(c => c.Id).Order(), held.Select(c => c.Id).Order());

        var done = await Store.ChunkCompleteManyAsync(
            new ChunkCompleteManyParams(
                [
                    new ChunkCompletion(stale[0].Id, stale[0].Epoch, "z", new ChunkCounters(3, 2, 1)),
                    new ChunkCompletion(stale[1].Id, stale[1].Epoch, null, ChunkCounters.Zero, ProgressStored: true),
                ],
                Now),
            Ct);

        Assert.Empty(done);
        var rows = await Task.WhenAll(stale.Select(c => GetAsync(c.Id)));
        Assert.All(rows, r => Assert.Equal((ChunkState.Running, (long?)2, (string?)null, ChunkCounters.Zero), (r.State, r.LeaseOwner, r.Cursor, r.Counters)));
    }

    [Fact]
    public async Task ChunkCompleteManyAsync_ProgressAlreadyStored_KeepsIt_AlongsideCompletionsThatWriteTheirs_FencedAlike()
    {
        await InsertJobAsync(4);
        var claimed = await Store.ChunkClaimAsync(new ChunkClaimParams(1, ["t"], 4, Now, Lease), Ct);
        Assert.Equal(CheckpointOutcome.Committed, await CheckpointAsync(claimed[0], "c", new ChunkCounters(4, 4, 0)));
        Assert.True(await Store.ChunkResetAsync(new ChunkResetParams(claimed[3].Id, ToZero: true, "test", Now), Ct));

        var done = await Store.ChunkCompleteManyAsync(
            new ChunkCompleteManyParams(
                [
                    new ChunkCompletion(claimed[0].Id, claimed[0].Epoch, "c", new ChunkCounters(4, 4, 0), ProgressStored: true),
                    new ChunkCompletion(claimed[1].Id, claimed[1].Epoch, null, ChunkCounters.Zero, ProgressStored: true),
                    new ChunkCompletion(claimed[2].Id, claimed[2].Epoch, "z", new ChunkCounters(3, 2, 1)),
                    new ChunkCompletion(claimed[3].Id, claimed[3].Epoch, null, ChunkCounters.Zero, ProgressStored: true),
                ],
                Now),
            Ct);

        Assert.Equal(claimed.Take(3).Select(c => c.Id), done.Order());
        var rows = await Task.WhenAll(claimed.Select(c => GetAsync(c.Id)));
        Assert.Equal(
            [(ChunkState.Done, "c", new ChunkCounters(4, 4, 0)), (ChunkState.Done, null, ChunkCounters.Zero), (ChunkState.Done, "z", new ChunkCounters(3, 2, 1)), (ChunkState.Pending, null, ChunkCounters.Zero)],
            rows.Select(r => (r.State, r.Cursor, r.Counters)));
        Assert.All(rows.Take(3), r => Assert.Equal((Now, (long?)null), (r.FinishedAt!.Value, r.LeaseOwner)));
    }

    [Fact]
    public async Task ChunkCompleteManyAsync_WritesTheOutputsOfAcceptedCompletionsOnly_InOneBatch()
    {
        var job = await InsertJobAsync(3);
        var claimed = await Store.ChunkClaimAsync(new ChunkClaimParams(1, ["t"], 3, Now, Lease), Ct);
        // A reclaim between the handler finishing and the batch committing makes that completion stale.
        Assert.True(await Store.ChunkResetAsync(new ChunkResetParams(claimed[2].Id, ToZero: false, "test", Now), Ct));
        // Held again by another worker: only the epoch tells the old holder's completion from the new one's.
        Assert.Equal(claimed[2].Id, (await ClaimOneAsync(2)).Id);

        var done = await Store.ChunkCompleteManyAsync(
            new ChunkCompleteManyParams(
                claimed.Select(c => new ChunkCompletion(c.Id, c.Epoch, null, new ChunkCounters(1, 1, 0), job.JobId, 0, [new ChunkOutput($"k{c.Id}", "1")])).ToList(),
                Now),
            Ct);

        Assert.Equal([claimed[0].Id, claimed[1].Id], done.Order());
        var outputs = await Store.OutputListAsync(new OutputListParams(job.JobId), Ct);
        Assert.Equal([$"k{claimed[0].Id}", $"k{claimed[1].Id}"], outputs.Select(o => o.Key).Order(StringComparer.Ordinal));
        Assert.Equal((ChunkState.Running, 2L), ((await GetAsync(claimed[2].Id)).State, (await GetAsync(claimed[2].Id)).LeaseOwner!.Value));
        Assert.Equal(ChunkCounters.Zero, (await GetAsync(claimed[2].Id)).Counters);
    }

    [Fact]
    public async Task ChunkCompleteManyAsync_EmitsTheNextStageChunksOfAcceptedCompletionsOnly_OutputsInOrder_BarrierWaits_KeysOnce()
    {
        var job = await Store.JobInsertAsync(new JobInsertParams("pipe", ThreeStages, "{}", ["{}", "{}", "{}"], 0, 3, Now), Ct);
        var claimed = await Store.ChunkClaimAsync(new ChunkClaimParams(1, ["f"], 3, Now, Lease), Ct);
        Assert.True(await Store.ChunkResetAsync(new ChunkResetParams(claimed[2].Id, ToZero: false, "test", Now), Ct));
        EmittedChunk[] Emits(long id) => [new(1, "p", "{}", $"p{id}"), new(2, "a", "{}", $"a{id}")];

        var done = await Store.ChunkCompleteManyAsync(
            new ChunkCompleteManyParams(
                [
                    new ChunkCompletion(claimed[0].Id, claimed[0].Epoch, null, new ChunkCounters(1, 1, 0), job.JobId, 0, [new ChunkOutput("x2", "1"), new ChunkOutput("x1", "2")],
                        Emitted: [.. Emits(claimed[0].Id), new(1, "p", "{}", $"p{claimed[1].Id}")]),
                    new ChunkCompletion(claimed[1].Id, claimed[1].Epoch, null, new ChunkCounters(1, 1, 0), job.JobId, 0, [new ChunkOutput("w", "3")], Emitted: Emits(claimed[1].Id)),
                    new ChunkCompletion(claimed[2].Id, claimed[2].Epoch, null, new ChunkCounters(1, 1, 0), job.JobId, 0, [new ChunkOutput("z", "4")], Emitted: Emits(claimed[2].Id)),
                ],
                Now),
            Ct);

        Assert.Equal([claimed[0].Id, claimed[1].Id], done.Order());
        // In the order the handlers wrote them; nothing of the refused completion.
        Assert.Equal(["x2", "x1", "w"], (await Store.OutputListAsync(new OutputListParams(job.JobId), Ct)).Select(o => o.Key));
        var chunks = await Store.ChunkListAsync(new ChunkListParams(job.JobId), Ct);
        // p{claimed[1]} was emitted twice in the batch and went in once.
        Assert.Equal(2, chunks.Count(c => c.Stage == 1 && c.State == ChunkState.Pending));
        Assert.Equal(2, chunks.Count(c => c.Stage == 2 && c.State == ChunkState.Waiting));
        Assert.All(chunks.Where(c => c.Stage > 0), c => Assert.Equal(3, c.MaxAttempts));
        Assert.Equal(2, (await Store.ChunkClaimAsync(new ChunkClaimParams(2, ["p"], 10, Now, Lease), Ct)).Count);
    }

    [Fact]
    public async Task ChunkCompleteManyAsync_ABatchOfManyOutputsAndEmittedChunks_PutsEachValueInItsOwnRow()
    {
        // Enough rows that a store writing them several to a statement fills statements and has some left over.
        const int count = 19;
        var job = await Store.JobInsertAsync(new JobInsertParams("pipe", ThreeStages, "{}", Enumerable.Repeat("{}", count), 0, 4, Now), Ct);
        var claimed = await Store.ChunkClaimAsync(new ChunkClaimParams(1, ["f"], count, Now, Lease), Ct);
        Assert.Equal(count, claimed.Count);

        var done = await Store.ChunkCompleteManyAsync(
            new ChunkCompleteManyParams(
                claimed.Select((c, n) => new ChunkCompletion(
                    c.Id,
                    c.Epoch,
                    null,
                    new ChunkCounters(1, 1, 0),
                    job.JobId,
                    0,
                    [new ChunkOutput($"k{n}a", $"d{n}a"), .. n % 3 == 0 ? [new ChunkOutput($"k{n}b", $"d{n}b")] : Array.Empty<ChunkOutput>()],
                    Emitted: [new EmittedChunk(1, "p", $$"""{"n":{{n}}}""", $"p{n}", Priority: n), new EmittedChunk(2, "a", $$"""{"a":{{n}}}""", $"a{n}")])).ToList(),
                Now),
            Ct);

        Assert.Equal(count, done.Count);
        var outputs = await Store.OutputListAsync(new OutputListParams(job.JobId), Ct);
        var expected = Enumerable.Range(0, count).SelectMany(n => n % 3 == 0 ? new[] { $"{n}a", $"{n}b" } : [$"{n}a"]).ToList();
        Assert.Equal(expected.Select(e => ($"k{e}", $"d{e}")), outputs.Select(o => (o.Key, o.Data)));
        Assert.Equal(expected.Select(e => claimed[int.Parse(e[..^1], System.Globalization.CultureInfo.InvariantCulture)].Id), outputs.Select(o => o.ChunkId));
        var chunks = await Store.ChunkListAsync(new ChunkListParams(job.JobId), Ct);
        Assert.Equal(
            Enumerable.Range(0, count).Select(n => ($$"""{"n":{{n}}}""", n, ChunkState.Pending, 4)),
            chunks.Where(c => c.Stage == 1).OrderBy(c => c.Id).Select(c => (c.Input, c.Priority, c.State, c.MaxAttempts)));
        Assert.Equal(
            Enumerable.Range(0, count).Select(n => ($$"""{"a":{{n}}}""", "a", ChunkState.Waiting)),
            chunks.Where(c => c.Stage == 2).OrderBy(c => c.Id).Select(c => (c.Input, c.Type, c.State)));
    }

    [Fact]
    public async Task ChunkCompleteAndClaimAsync_CompletesTheHeldOnes_RefusesTheStaleOne_ThenClaimsOthers()
    {
        var job = await InsertJobAsync(6);
        var held = await Store.ChunkClaimAsync(new ChunkClaimParams(1, ["t"], 3, Now, Lease), Ct);
        Assert.True(await Store.ChunkResetAsync(new ChunkResetParams(held[1].Id, ToZero: false, "test", Now), Ct));

        var result = await Store.ChunkCompleteAndClaimAsync(
            new ChunkCompleteAndClaimParams(
                new ChunkCompleteManyParams(held.Select(c => new ChunkCompletion(c.Id, c.Epoch, "z", new ChunkCounters(2, 2, 0), job.JobId, 0, [new ChunkOutput($"k{c.Id}", "1")])).ToList(), Now),
                new ChunkClaimParams(1, ["t"], 3, Now, Lease)),
            Ct);

        Assert.Equal([held[0].Id, held[2].Id], result.Completed.Order());
        Assert.Equal(ChunkState.Done, (await GetAsync(held[0].Id)).State);
        Assert.Equal(new ChunkCounters(2, 2, 0), (await GetAsync(held[2].Id)).Counters);
        var outputs = await Store.OutputListAsync(new OutputListParams(job.JobId), Ct);
        Assert.Equal([$"k{held[0].Id}", $"k{held[2].Id}"], outputs.Select(o => o.Key).Order(StringComparer.Ordinal));
        // The refused one went back to pending by the reset and is claimed again; the completed ones are not.
        Assert.Equal(3, result.Claimed.Count);
        Assert.Contains(held[1].Id, result.Claimed.Select(c => c.Id));
        Assert.DoesNotContain(held[0].Id, result.Claimed.Select(c => c.Id));
        Assert.DoesNotContain(held[2].Id, result.Claimed.Select(c => c.Id));
        Assert.Equal(result.Claimed.Select(c => c.Id).Order(), result.Claimed.Select(c => c.Id));
        foreach (var chunk in result.Claimed)
        {
            Assert.Equal(ChunkState.Running, (await GetAsync(chunk.Id)).State);
        }
    }

    [Fact]
    public async Task ChunkCompleteAndClaimAsync_NothingToComplete_IsAClaim_AndNothingLeft_IsACompletion()
    {
        await InsertJobAsync(2);

        var first = await Store.ChunkCompleteAndClaimAsync(
            new ChunkCompleteAndClaimParams(new ChunkCompleteManyParams([], Now), new ChunkClaimParams(1, ["t"], 5, Now, Lease)),
            Ct);
        var second = await Store.ChunkCompleteAndClaimAsync(
            new ChunkCompleteAndClaimParams(
                new ChunkCompleteManyParams(first.Claimed.Select(c => new ChunkCompletion(c.Id, c.Epoch, null, ChunkCounters.Zero)).ToList(), Now),
                new ChunkClaimParams(1, ["t"], 5, Now, Lease)),
            Ct);

        Assert.Empty(first.Completed);
        Assert.Equal(2, first.Claimed.Count);
        Assert.Equal(first.Claimed.Select(c => c.Id).Order(), second.Completed.Order());
        Assert.Empty(second.Claimed);
    }

    [Fact]
    public async Task ChunkCheckpointAsync_EmittingTheSameKeysAgain_CreatesNoDuplicates()
    {
        var job = await InsertJobAsync(1);
        var chunk = await ClaimOneAsync(1);
        EmittedChunk[] emitted = [new(1, "next", "{}", "a"), new(1, "next", "{}", "b")];
        Assert.Equal(CheckpointOutcome.Committed, await CheckpointAsync(chunk, "1", new ChunkCounters(1, 1, 0), emitted: emitted));
        Assert.True(await Store.ChunkResetAsync(new ChunkResetParams(chunk.Id, ToZero: true, "test", Now), Ct));
        var again = await ClaimOneAsync(2);

        Assert.Equal(CheckpointOutcome.Committed, await CheckpointAsync(again, "1", new ChunkCounters(1, 1, 0), complete: true, emitted: [.. emitted, new(1, "next", "{}", "c")]));

        var stage1 = (await Store.ChunkListAsync(new ChunkListParams(job.JobId), Ct)).Where(c => c.Stage == 1).ToList();
        Assert.Equal(3, stage1.Count);
    }

    [Fact]
    public async Task ChunkCheckpointAsync_ManyOutputs_AllWrittenOnce()
    {
        var job = await InsertJobAsync(1);
        var chunk = await ClaimOneAsync(1);
        var outputs = Enumerable.Range(0, 1_234).Select(i => new ChunkOutput($"k{i}", $"{i}")).ToList();

        Assert.Equal(CheckpointOutcome.Committed, await CheckpointAsync(chunk, "all", new ChunkCounters(1_234, 1_234, 0), complete: true, outputs: outputs));

        var written = await Store.OutputListAsync(new OutputListParams(job.JobId), Ct);
        Assert.Equal(outputs.Select(o => o.Key), written.Select(o => o.Key));
    }
}
