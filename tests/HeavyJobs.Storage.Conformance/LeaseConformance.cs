using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;

namespace HeavyJobs.Storage.Conformance;

public abstract class LeaseConformance(IStoreProvider provider) : ConformanceBase(provider)
{
    [Fact]
    public async Task ChunkLeaseExtendAsync_ExtendsEveryChunkOfTheGivenWorkersOnly_InOneCall()
    {
        await InsertJobAsync(6);
        var mine = (await Store.ChunkClaimAsync(new ChunkClaimParams(1, ["t"], 2, Now, Lease), Ct))
            .Concat(await Store.ChunkClaimAsync(new ChunkClaimParams(3, ["t"], 2, Now, Lease), Ct)).ToList();
        var theirs = await Store.ChunkClaimAsync(new ChunkClaimParams(2, ["t"], 2, Now, Lease), Ct);
        Now += TimeSpan.FromSeconds(20);

        var held = await Store.ChunkLeaseExtendAsync(new ChunkLeaseExtendParams([1, 3], Now, Lease), Ct);

        Assert.Equal(mine.Select(c => c.Id).Order(), held.Select(h => h.ChunkId).Order());
        Assert.Equal(2, held.Count(h => h.WorkerId == 3));
        foreach (var c in mine)
        {
            Assert.Equal(Now + Lease, (await GetAsync(c.Id)).LeaseExpiresAt);
        }

        foreach (var c in theirs)
        {
            Assert.Equal(c.LeaseExpiresAt, (await GetAsync(c.Id)).LeaseExpiresAt);
        }
    }

    [Fact]
    public async Task ChunkReclaimExpiredAsync_ReturnsExpiredChunksWithTheirCursor_CountingNoDeath()
    {
        await InsertJobAsync(2);
        var expiring = await ClaimOneAsync(1);
        Assert.Equal(CheckpointOutcome.Committed, await CheckpointAsync(expiring, "40", new ChunkCounters(40, 39, 1)));
        Now += TimeSpan.FromSeconds(20);
        var fresh = await ClaimOneAsync(2);
        Now += TimeSpan.FromSeconds(15);

        var reclaimed = await Store.ChunkReclaimExpiredAsync(
            new ChunkReclaimExpiredParams(Now, Log: c => new ActionInsertParams("manager", ActionKinds.Reclaim, $"lease of worker {c.PreviousOwner} expired", Now, WorkerId: c.PreviousOwner, JobId: c.JobId, ChunkId: c.ChunkId)),
            Ct);

        var r = Assert.Single(reclaimed);
        Assert.Equal(expiring.Id, r.ChunkId);
        var logged = Assert.Single(await Store.ActionListAsync(new ActionListParams(), Ct));
        Assert.Equal(("lease of worker 1 expired", (long?)expiring.Id, (long?)1), (logged.Reason, logged.ChunkId, logged.WorkerId));
        Assert.Equal(1, r.PreviousOwner);
        Assert.Equal(ChunkState.Pending, r.State);
        var row = await GetAsync(expiring.Id);
        Assert.Equal("40", row.Cursor);
        Assert.Equal(new ChunkCounters(40, 39, 1), row.Counters);
        // The fleet gave up on a silent holder (its machine declared dead): that is not the chunk's doing.
        Assert.Equal((0, 0), (row.Crashes, row.Attempts));
        Assert.Equal(ChunkState.Running, (await GetAsync(fresh.Id)).State);
        Assert.Equal(CheckpointOutcome.LeaseLost, await CheckpointAsync(expiring, "41", new ChunkCounters(41, 40, 1)));
    }

    [Fact]
    public async Task ChunkReclaimByWorkerAsync_ReleasesAtOnceWithoutLeaseWait()
    {
        await InsertJobAsync(3);
        var held = await Store.ChunkClaimAsync(new ChunkClaimParams(7, ["t"], 2, Now, Lease), Ct);

        var reclaimed = await Store.ChunkReclaimByWorkerAsync(new ChunkReclaimByWorkerParams(7, "worker 7 was killed", Now), Ct);

        Assert.Equal(held.Select(c => c.Id).Order(), reclaimed.Select(c => c.ChunkId).Order());
        Assert.All(reclaimed, c => Assert.Equal(7, c.PreviousOwner));
        var again = await Store.ChunkClaimAsync(new ChunkClaimParams(8, ["t"], 3, Now, Lease), Ct);
        Assert.Equal(3, again.Count);
        Assert.Contains("worker 7 was killed", (await GetAsync(held[0].Id)).Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChunkReclaimByWorkerAsync_LogsWhatItsCallerSaysOfTheReturns_InTheTransactionThatMakesThem()
    {
        await InsertJobAsync(3);
        var held = await Store.ChunkClaimAsync(new ChunkClaimParams(7, ["t"], 3, Now, Lease), Ct);
        var running = held[0].Id;

        // The caller sees every chunk returned at once: one line for each death counted, one for all the rest.
        IEnumerable<ActionInsertParams> Explain(IReadOnlyList<ReclaimedChunk> chunks, string? reason) =>
        [
            .. chunks.Where(c => c.DeathCounted).Select(c => new ActionInsertParams("monitor", ActionKinds.Reclaim, reason!, Now, "m1", 7, c.JobId, c.ChunkId)),
            new ActionInsertParams("monitor", ActionKinds.Reclaim, $"{chunks.Count(c => !c.DeathCounted)} returned without a death", Now, "m1", 7),
        ];

        // A log entry the database refuses (no reason: the fault injected) takes the returns down with it.
        await Assert.ThrowsAnyAsync<Exception>(
            () => Store.ChunkReclaimByWorkerAsync(new ChunkReclaimByWorkerParams(7, "worker 7 died", Now, Running: [running], Log: chunks => Explain(chunks, null)), Ct));
        foreach (var c in held)
        {
            Assert.Equal(7, (await GetAsync(c.Id)).LeaseOwner);
        }

        Assert.Empty(await Store.ActionListAsync(new ActionListParams(), Ct));

        var reclaimed = await Store.ChunkReclaimByWorkerAsync(
            new ChunkReclaimByWorkerParams(7, "worker 7 died", Now, Running: [running], Log: chunks => Explain(chunks, "worker 7 died")),
            Ct);

        Assert.Equal(3, reclaimed.Count);
        var logged = (await Store.ActionListAsync(new ActionListParams(), Ct)).OrderBy(a => a.Id).ToList();
        Assert.Equal(
            [("worker 7 died", (long?)running), ("2 returned without a death", null)],
            logged.Select(a => (a.Reason, a.ChunkId)));
        Assert.All(logged, a => Assert.Equal((long?)7, a.WorkerId));
        // Nothing returned, nothing logged: the caller is not asked.
        Assert.Empty(await Store.ChunkReclaimByWorkerAsync(new ChunkReclaimByWorkerParams(7, "again", Now, Log: _ => throw new InvalidOperationException("asked")), Ct));
    }

    [Fact]
    public async Task Holders_ListEveryWorkerThatHeldTheChunk_InOrder()
    {
        await InsertJobAsync(1);
        var first = await ClaimOneAsync(11);
        await Store.ChunkReleaseAsync(new ChunkReleaseParams(first.Id, first.Epoch, Now), Ct);
        var second = await ClaimOneAsync(11);
        await Store.ChunkReclaimByWorkerAsync(new ChunkReclaimByWorkerParams(11, "killed", Now), Ct);
        var third = await ClaimOneAsync(12);
        Assert.Equal(first.Id, third.Id);
        Assert.True(third.Epoch > second.Epoch && second.Epoch > first.Epoch);

        Assert.Equal([11L, 12L], (await GetAsync(first.Id)).Holders);
    }

    [Fact]
    public async Task ChunkReclaim_AChunkThatKillsItsWorkersIsQuarantined()
    {
        await InsertJobAsync(1);
        for (var death = 1; death <= 3; death++)
        {
            var chunk = await ClaimOneAsync(death);
            var reclaimed = await Store.ChunkReclaimByWorkerAsync(new ChunkReclaimByWorkerParams(death, $"death {death}", Now, QuarantineAfter: 3), Ct);
            Assert.Equal(death < 3 ? ChunkState.Pending : ChunkState.Quarantined, Assert.Single(reclaimed).State);
            Assert.Equal(chunk.Id, reclaimed[0].ChunkId);
        }

        Assert.Empty(await Store.ChunkClaimAsync(new ChunkClaimParams(9, ["t"], 1, Now, Lease), Ct));
    }

    [Fact]
    public async Task ChunkReclaimExpiredAsync_AChunkWhoseHoldersKeepGoingSilent_IsNeverQuarantined()
    {
        await InsertJobAsync(1);
        for (var expiry = 1; expiry <= 5; expiry++)
        {
            await ClaimOneAsync(expiry);
            Now += Lease + TimeSpan.FromSeconds(1);
            Assert.Equal(ChunkState.Pending, Assert.Single(await Store.ChunkReclaimExpiredAsync(new ChunkReclaimExpiredParams(Now, QuarantineAfter: 3), Ct)).State);
        }

        Assert.Single(await Store.ChunkClaimAsync(new ChunkClaimParams(9, ["t"], 1, Now, Lease), Ct));
    }

    [Fact]
    public async Task ChunkReclaim_AChunkThatCheckpointsBetweenDeaths_IsNeverQuarantined_EachDeathStartsTheCountAgain()
    {
        await InsertJobAsync(1);
        for (var death = 1; death <= 6; death++)
        {
            var chunk = await ClaimOneAsync(death);
            // Progress since the previous death: by its counters, or by its cursor alone (a range that skipped items).
            var counters = death % 2 == 0 ? chunk.Counters : new ChunkCounters(death * 10, death * 10, 0);
            Assert.Equal(CheckpointOutcome.Committed, await CheckpointAsync(chunk, $"c{death}", counters));
            var reclaimed = await Store.ChunkReclaimByWorkerAsync(new ChunkReclaimByWorkerParams(death, $"death {death}", Now, QuarantineAfter: 3, Running: [chunk.Id]), Ct);
            Assert.Equal((ChunkState.Pending, true), (Assert.Single(reclaimed).State, reclaimed[0].DeathCounted));
            Assert.Equal(1, (await GetAsync(chunk.Id)).Crashes);
        }

        Assert.Equal("c6", (await ClaimOneAsync(9)).Cursor);
    }

    [Fact]
    public async Task ChunkReclaim_DeathsWithNoProgressBetweenThem_AddUp_AfterEarlierProgress()
    {
        await InsertJobAsync(1);
        var chunk = await ClaimOneAsync(1);
        Assert.Equal(CheckpointOutcome.Committed, await CheckpointAsync(chunk, "99", new ChunkCounters(99, 99, 0)));
        await Store.ChunkReclaimByWorkerAsync(new ChunkReclaimByWorkerParams(1, "death 1", Now, QuarantineAfter: 3, Running: [chunk.Id]), Ct);
        for (var death = 2; death <= 3; death++)
        {
            var again = await ClaimOneAsync(death);
            // A checkpoint that only repeats where it stands is no progress.
            Assert.Equal(CheckpointOutcome.Committed, await CheckpointAsync(again, "99", new ChunkCounters(99, 99, 0)));
            var reclaimed = await Store.ChunkReclaimByWorkerAsync(new ChunkReclaimByWorkerParams(death, $"death {death}", Now, QuarantineAfter: 3, Running: [chunk.Id]), Ct);
            Assert.Equal(death < 3 ? ChunkState.Pending : ChunkState.Quarantined, Assert.Single(reclaimed).State);
            Assert.Equal(death, (await GetAsync(chunk.Id)).Crashes);
        }

        Assert.Empty(await Store.ChunkClaimAsync(new ChunkClaimParams(9, ["t"], 1, Now, Lease), Ct));
    }

    [Fact]
    public async Task ChunkReclaimByWorkerAsync_WithWhatItWasRunning_CountsTheDeathForThoseOnly_AndReturnsTheRestAsTheyWere()
    {
        await InsertJobAsync(4);
        var held = await Store.ChunkClaimAsync(new ChunkClaimParams(7, ["t"], 4, Now, Lease), Ct);
        var (running, checkpointed) = (held[0], held[1]);
        Assert.Equal(CheckpointOutcome.Committed, await CheckpointAsync(checkpointed, "5", new ChunkCounters(5, 5, 0)));
        var before = await Task.WhenAll(held.Select(c => GetAsync(c.Id)));

        var reclaimed = await Store.ChunkReclaimByWorkerAsync(new ChunkReclaimByWorkerParams(7, "worker 7 was killed", Now, Running: [running.Id]), Ct);

        Assert.Equal(held.Select(c => c.Id).Order(), reclaimed.Select(r => r.ChunkId).Order());
        Assert.Equal([running.Id], reclaimed.Where(r => r.DeathCounted).Select(r => r.ChunkId));
        Assert.All(reclaimed, r => Assert.Equal((ChunkState.Pending, 7L), (r.State, r.PreviousOwner!.Value)));
        var blamed = await GetAsync(running.Id);
        Assert.Equal((1, 0), (blamed.Crashes, blamed.Attempts));
        Assert.Contains("worker 7 was killed", blamed.Errors, StringComparison.Ordinal);
        foreach (var b in before.Where(b => b.Id != running.Id))
        {
            // Back as a graceful release leaves it: no crash, no attempt, no error, its checkpoint kept.
            var row = await GetAsync(b.Id);
            Assert.Equal((ChunkState.Pending, 0, 0, b.Errors), (row.State, row.Crashes, row.Attempts, row.Errors));
            Assert.Equal((b.Cursor, b.Counters), (row.Cursor, row.Counters));
            Assert.Null(row.LeaseOwner);
        }

        // Whatever its old holder sends late is refused, counted or not.
        Assert.Equal(CheckpointOutcome.LeaseLost, await CheckpointAsync(checkpointed, "6", new ChunkCounters(6, 6, 0)));
        Assert.Equal(4, (await Store.ChunkClaimAsync(new ChunkClaimParams(8, ["t"], 4, Now, Lease), Ct)).Count);
    }

    [Fact]
    public async Task ChunkReclaimByWorkerAsync_AChunkHeldBesideAPoisonAtEveryDeath_IsNeverQuarantined()
    {
        await InsertJobAsync(3);
        long? poison = null;
        for (var death = 1; death <= 3; death++)
        {
            var held = await Store.ChunkClaimAsync(new ChunkClaimParams(death, ["t"], 3, Now, Lease), Ct);
            Assert.Equal(3, held.Count);
            poison ??= held[1].Id;
            var reclaimed = await Store.ChunkReclaimByWorkerAsync(new ChunkReclaimByWorkerParams(death, $"death {death}", Now, QuarantineAfter: 3, Running: [poison.Value]), Ct);
            Assert.Equal(death < 3 ? ChunkState.Pending : ChunkState.Quarantined, reclaimed.Single(r => r.ChunkId == poison).State);
        }

        var neighbours = await Store.ChunkClaimAsync(new ChunkClaimParams(9, ["t"], 3, Now, Lease), Ct);
        Assert.Equal(2, neighbours.Count);
        Assert.DoesNotContain(poison!.Value, neighbours.Select(c => c.Id));
        Assert.All(neighbours, c => Assert.Equal(0, c.Attempts));
        foreach (var c in neighbours)
        {
            Assert.Equal(0, (await GetAsync(c.Id)).Crashes);
        }

        // A worker that said it was running nothing died between chunks: nothing it held counts.
        var empty = await Store.ChunkReclaimByWorkerAsync(new ChunkReclaimByWorkerParams(9, "death 4", Now, Running: []), Ct);
        Assert.Equal(2, empty.Count);
        Assert.All(empty, r => Assert.False(r.DeathCounted));
    }

    [Fact]
    public async Task WorkerKilledBetweenCheckpoints_LosesOnlyUncommittedWork_AndNoOutputIsDoubled()
    {
        var job = await InsertJobAsync(1);
        var victim = await ClaimOneAsync(1);
        Assert.Equal(
            CheckpointOutcome.Committed,
            await CheckpointAsync(victim, "10", new ChunkCounters(10, 10, 0), outputs: Outputs(1, 10)));
        // Items 11..15 were done in memory and never checkpointed when the worker died.
        Now += Lease + TimeSpan.FromSeconds(1);
        Assert.Single(await Store.ChunkReclaimExpiredAsync(new ChunkReclaimExpiredParams(Now), Ct));

        var heir = await ClaimOneAsync(2);
        Assert.Equal("10", heir.Cursor);
        Assert.Equal(new ChunkCounters(10, 10, 0), heir.Counters);
        // The dead worker's late write, had it come back while the heir holds the chunk or after, changes nothing.
        Assert.Equal(CheckpointOutcome.LeaseLost, await CheckpointAsync(victim, "15", new ChunkCounters(15, 15, 0), outputs: Outputs(11, 15)));
        Assert.Equal(
            CheckpointOutcome.Committed,
            await CheckpointAsync(heir, "20", new ChunkCounters(20, 20, 0), complete: true, outputs: Outputs(11, 20)));
        Assert.Equal(CheckpointOutcome.LeaseLost, await CheckpointAsync(victim, "15", new ChunkCounters(15, 15, 0), outputs: Outputs(11, 15)));

        var outputs = await Store.OutputListAsync(new OutputListParams(job.JobId), Ct);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => $"item-{i}"), outputs.Select(o => o.Key));
    }

    private static List<ChunkOutput> Outputs(int from, int to) =>
        Enumerable.Range(from, to - from + 1).Select(i => new ChunkOutput($"item-{i}", $"{i}")).ToList();
}
