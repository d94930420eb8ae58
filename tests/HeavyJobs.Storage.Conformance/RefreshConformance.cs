using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.KeySets;
using HeavyJobs.Storage.Politeness;

namespace HeavyJobs.Storage.Conformance;

/// <summary>Key sets a refresh is cut from, and the fleet-wide slow-down of a server that pushed back.</summary>
public abstract class RefreshConformance(IStoreProvider provider) : ConformanceBase(provider)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task KeySet_LoadsEachKeyOnce_AndKeepsRefreshTimesOnReload()
    {
        Assert.Equal(3, await Store.KeySetLoadAsync(new KeySetLoadParams("domains", ["a.com", "b.com", "c.com", "a.com"], Now), Ct));
        await RefreshAsync("domains", ["a.com"]);

        Assert.Equal(1, await Store.KeySetLoadAsync(new KeySetLoadParams("domains", ["a.com", "b.com", "d.com"], Now), Ct));
        await Store.KeySetLoadAsync(new KeySetLoadParams("other", ["a.com"], Now), Ct);

        var status = await Store.KeySetStatusAsync(new KeySetStatusParams(Now.AddDays(-7)), Ct);
        Assert.Equal(["domains", "other"], status.Select(s => s.Set));
        var domains = status[0];
        Assert.Equal((4L, 3L, 0L), (domains.Total, domains.NeverRefreshed, domains.Stale));
        Assert.Equal(Now, domains.OldestRefresh);
        Assert.Equal(1, Assert.Single(await Store.KeySetStatusAsync(new KeySetStatusParams(Now, "other"), Ct)).NeverRefreshed);
    }

    [Fact]
    public async Task KeySet_StaleKeys_AreTheNeverRefreshedThenTheOldest_AndACheckpointMarksOnlyItsJobsSet()
    {
        await Store.KeySetLoadAsync(new KeySetLoadParams("domains", Enumerable.Range(0, 6).Select(i => $"d{i}.com"), Now), Ct);
        await Store.KeySetLoadAsync(new KeySetLoadParams("other", ["d0.com"], Now), Ct);
        var start = Now;
        await RefreshAsync("domains", ["d3.com"]);
        Now = start.AddDays(1);
        await RefreshAsync("domains", ["d1.com", "d2.com"]);
        Now = start.AddDays(2);
        await RefreshAsync("domains", ["d0.com"]);

        // Older than 12 hours, at day 2: never refreshed (d4, d5), then d3 (day 0), then d1 and d2 (day 1).
        Now = start.AddDays(2).AddHours(1);
        Assert.Equal(["d4.com", "d5.com", "d3.com", "d1.com", "d2.com"], await Store.KeySetStaleAsync(new KeySetStaleParams("domains", Now.AddHours(-12), 100), Ct));
        Assert.Equal(["d4.com", "d5.com", "d3.com"], await Store.KeySetStaleAsync(new KeySetStaleParams("domains", Now.AddHours(-12), 3), Ct));
        Assert.Equal(["d4.com", "d5.com"], await Store.KeySetStaleAsync(new KeySetStaleParams("domains", start.AddHours(-1), 100), Ct));

        // The "other" set shares a key with "domains" but no job of it ran.
        Assert.Equal(["d0.com"], await Store.KeySetStaleAsync(new KeySetStaleParams("other", Now, 100), Ct));
    }

    [Fact]
    public async Task JobInsert_CutsTheStaleKeysIntoChunksItself_InTheStaleOrder_AsAKeyListSplitWould()
    {
        // Keys a JSON text must escape, and ones whose refresh times order them differently from their names.
        string[] odd = ["quote\"d.com", "bäckerei.de", "back\\slash.com"];
        await Store.KeySetLoadAsync(new KeySetLoadParams("domains", [.. Enumerable.Range(0, 8).Select(i => $"d{i}.com"), .. odd], Now), Ct);
        var start = Now;
        await RefreshAsync("domains", ["d7.com", "d2.com"]);
        Now = start.AddDays(1);
        await RefreshAsync("domains", ["d0.com"]);
        Now = start.AddDays(2);
        await RefreshAsync("domains", ["d5.com"]);
        Now = start.AddDays(2).AddHours(1);
        var stale = new KeySetStaleParams("domains", Now.AddHours(-12), 9);
        var expected = await Store.KeySetStaleAsync(stale, Ct);
        Assert.Equal(9, expected.Count);

        var job = await Store.JobInsertAsync(
            new JobInsertParams("refresh", [new StageDefinition("fetch", "t", StageMode.Streaming)], "{}", [], 0, 3, Now, "domains", StaleKeys: new StaleKeyChunks(stale, 4)),
            Ct);

        Assert.Equal(3, job.ChunkCount);
        var chunks = (await Store.ChunkListAsync(new Chunks.ChunkListParams(job.JobId), Ct)).OrderBy(c => c.Id).ToList();
        var cut = chunks.Select(c => System.Text.Json.JsonDocument.Parse(c.Input).RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetString()!).ToArray()).ToList();
        Assert.Equal(expected.Chunk(4).ToList(), cut);
        Assert.Contains(odd[0], cut.SelectMany(k => k));
        Assert.All(chunks, c => Assert.Equal(ChunkState.Pending, c.State));

        // Nothing stale: refused, and no job made.
        var jobs = (await Store.JobListAsync(new JobListParams(), Ct)).Count;
        var refused = await Assert.ThrowsAsync<NoStaleKeysException>(() => Store.JobInsertAsync(
            new JobInsertParams("refresh", [new StageDefinition("fetch", "t", StageMode.Streaming)], "{}", [], 0, 3, Now, "domains", StaleKeys: new StaleKeyChunks(stale with { Set = "none" }, 4)),
            Ct));
        Assert.Equal("none", refused.Set);
        Assert.Equal(jobs, (await Store.JobListAsync(new JobListParams(), Ct)).Count);
    }

    [Fact]
    public async Task KeySet_ReadThroughAJob_GivesEveryKeyWithTheLatestRecordAnyRefreshLeft()
    {
        await Store.KeySetLoadAsync(new KeySetLoadParams("domains", ["a.com", "b.com", "c.com"], Now), Ct);
        var start = Now;
        await RefreshAsync("domains", ["a.com", "b.com"]);
        Now = start.AddHours(1);
        var job = await RefreshAsync("domains", ["b.com"]);
        var plain = await InsertJobAsync(1);

        var keys = await Store.KeySetReadAsync(new KeySetReadParams(job, null, 10), Ct);
        Assert.Equal(
            [("a.com", (DateTimeOffset?)start, "record of a.com at 12:00"), ("b.com", Now, "record of b.com at 13:00"), ("c.com", null, null)],
            keys.Select(k => (k.Key, k.RefreshedAt, k.Latest)));
        Assert.Equal(["c.com"], (await Store.KeySetReadAsync(new KeySetReadParams(job, "b.com", 10), Ct)).Select(k => k.Key));
        Assert.Empty(await Store.KeySetReadAsync(new KeySetReadParams(plain.JobId, null, 10), Ct));
    }

    [Fact]
    public async Task KeySet_ReadNotMarked_LeavesOutWhatThisJobMarked_FreshOrAttempted_AndAnAttemptKeepsTheRecord()
    {
        await Store.KeySetLoadAsync(new KeySetLoadParams("domains", ["a.com", "b.com", "c.com", "d.com"], Now), Ct);
        var start = Now;
        await RefreshAsync("domains", ["a.com", "b.com", "c.com"]);
        Now = start.AddHours(1);
        // The next refresh gets a fresh answer for a.com and nothing usable for b.com.
        var job = await RefreshAsync("domains", ["a.com"], attempted: ["b.com"]);

        var notMarked = await Store.KeySetReadAsync(new KeySetReadParams(job, null, 10, NotMarkedOnly: true), Ct);
        Assert.Equal([("c.com", (DateTimeOffset?)start, "record of c.com at 12:00"), ("d.com", null, null)], notMarked.Select(k => (k.Key, k.RefreshedAt, k.Latest)));
        Assert.Equal(["d.com"], (await Store.KeySetReadAsync(new KeySetReadParams(job, "c.com", 10, NotMarkedOnly: true), Ct)).Select(k => k.Key));

        // The attempt left b.com's refresh and record as the first refresh left them, so it is still due.
        var b = Assert.Single(await Store.KeySetReadAsync(new KeySetReadParams(job, "a.com", 1), Ct));
        Assert.Equal(("b.com", (DateTimeOffset?)start, "record of b.com at 12:00"), (b.Key, b.RefreshedAt, b.Latest));
        Assert.Equal(["d.com", "b.com", "c.com"], await Store.KeySetStaleAsync(new KeySetStaleParams("domains", Now, 10), Ct));
    }

    [Fact]
    public async Task KeySet_AFenceLostCheckpointMarksNothing()
    {
        await Store.KeySetLoadAsync(new KeySetLoadParams("domains", ["a.com"], Now), Ct);
        await Store.JobInsertAsync(new JobInsertParams("refresh", [new StageDefinition("fetch", "t", StageMode.Streaming)], "{}", ["""{"keys":["a.com"]}"""], 0, 3, Now, "domains"), Ct);
        var chunk = await ClaimOneAsync(1);

        var outcome = await Store.ChunkCheckpointAsync(
            new Chunks.ChunkCheckpointParams(chunk.Id, chunk.JobId, chunk.Stage, chunk.Epoch + 1, "1", new ChunkCounters(1, 1, 0), [], [], true, Now, Lease, [new FreshKey("a.com")]),
            Ct);

        Assert.Equal(Chunks.CheckpointOutcome.LeaseLost, outcome);
        Assert.Equal(["a.com"], await Store.KeySetStaleAsync(new KeySetStaleParams("domains", Now, 10), Ct));
    }

    [Fact]
    public async Task RateBackOff_PausesEveryCaller_ThenSpacesStartsFurtherApartForAWhile()
    {
        Assert.Equal(Now, await ReserveAsync());
        var backOff = await Store.RateBackOffAsync(new RateBackOffParams("whois.example", TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60), Now), Ct);
        Assert.True(backOff.NewIncident);
        Assert.Equal((Now.AddSeconds(2), 2.0, Now.AddSeconds(60)), (backOff.ResumeAt, backOff.SlowFactor, backOff.SlowUntil));

        // Another worker (its own connection) reports the same push-back during the pause: nothing changes.
        await using (var other = Provider.OpenAnother(Store))
        {
            var again = await other.RateBackOffAsync(new RateBackOffParams("whois.example", TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60), Now.AddMilliseconds(10)), Ct);
            Assert.False(again.NewIncident);
            Assert.Equal(2.0, again.SlowFactor);

            // No caller starts before the pause is over; then starts are spaced twice as far apart.
            var first = await other.RateReserveAsync(new RateReserveParams("whois.example", Interval, Now.AddMilliseconds(20)), Ct);
            Assert.Equal(Now.AddSeconds(2), first);
        }

        Assert.Equal(Now.AddSeconds(2) + (2 * Interval), await ReserveAsync());

        // Pushed back again after the pause while still slowed: the slow-down doubles.
        Now = Now.AddSeconds(5);
        var second = await Store.RateBackOffAsync(new RateBackOffParams("whois.example", TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60), Now), Ct);
        Assert.True(second.NewIncident);
        Assert.Equal(4.0, second.SlowFactor);
        Assert.Equal(Now.AddSeconds(2), await ReserveAsync());
        Assert.Equal(Now.AddSeconds(2) + (4 * Interval), await ReserveAsync());

        // Once the slow period is over, the configured spacing is back; other servers were never affected.
        Now = Now.AddSeconds(61);
        var at = await ReserveAsync();
        Assert.Equal(Now, at);
        Assert.Equal(Now + Interval, await ReserveAsync());
        Assert.Equal(Now, await Store.RateReserveAsync(new RateReserveParams("other.example", Interval, Now), Ct));
    }

    [Fact]
    public async Task RateBackOff_LogsItsIncidentOnce_InTheWriteThatPausesTheFleet()
    {
        var incident = new ActionInsertParams("worker", ActionKinds.SlowDown, "whois:whois.example pushed back", Now, JobId: 7, ChunkId: 9);
        var first = await Store.RateBackOffAsync(new RateBackOffParams("whois.example", TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60), Now, Incident: incident), Ct);
        // The same incident reported by other workers during its pause, and a push-back that logs nothing.
        await Store.RateBackOffAsync(new RateBackOffParams("whois.example", TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60), Now.AddMilliseconds(10), Incident: incident with { ChunkId = 10 }), Ct);
        await Store.RateBackOffAsync(new RateBackOffParams("other.example", TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60), Now), Ct);

        var logged = Assert.Single(await Store.ActionListAsync(new ActionListParams(Kind: ActionKinds.SlowDown), Ct));
        Assert.Equal(("worker", 7L, 9L, Now), (logged.Actor, logged.JobId, logged.ChunkId, logged.At));
        Assert.Equal($"whois:whois.example pushed back: {first.Describe()}", logged.Reason);
        Assert.Contains("×2 until", logged.Reason, StringComparison.Ordinal);

        // After the pause, a new push-back is a new incident with its own entry.
        var second = await Store.RateBackOffAsync(new RateBackOffParams("whois.example", TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60), Now.AddSeconds(5), Incident: incident with { Now = Now.AddSeconds(5) }), Ct);
        Assert.True(second.NewIncident);
        Assert.Equal(2, (await Store.ActionListAsync(new ActionListParams(Kind: ActionKinds.SlowDown), Ct)).Count);
    }

    [Fact]
    public async Task RateTurn_HandedOutBeforeAPushBack_NoLongerStands_OneAfterItDoes()
    {
        var before = Now;
        await ReserveAsync();
        Assert.True(await StandsAsync(before));

        await Store.RateBackOffAsync(new RateBackOffParams("whois.example", TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60), Now.AddMilliseconds(100)), Ct);

        Assert.False(await StandsAsync(before));
        var after = Now.AddMilliseconds(200);
        Assert.True(await StandsAsync(after));
        // The same push-back reported again during its pause is the same incident: later turns still stand.
        await Store.RateBackOffAsync(new RateBackOffParams("whois.example", TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60), Now.AddMilliseconds(300)), Ct);
        Assert.True(await StandsAsync(after));
        Assert.True(await Store.RateTurnStandsAsync(new RateTurnParams("other.example", before), Ct));
    }

    private Task<bool> StandsAsync(DateTimeOffset reservedAt) => Store.RateTurnStandsAsync(new RateTurnParams("whois.example", reservedAt), Ct);

    private Task<DateTimeOffset> ReserveAsync() => Store.RateReserveAsync(new RateReserveParams("whois.example", Interval, Now), Ct);

    private async Task<long> RefreshAsync(string set, IReadOnlyList<string> keys, IReadOnlyList<string>? attempted = null)
    {
        var job = await Store.JobInsertAsync(
            new JobInsertParams("refresh", [new StageDefinition("fetch", "t", StageMode.Streaming)], "{}", [System.Text.Json.JsonSerializer.Serialize(new { keys })], 0, 3, Now, set),
            Ct);
        var chunk = await ClaimOneAsync(1);
        var outcome = await Store.ChunkCheckpointAsync(
            new Chunks.ChunkCheckpointParams(chunk.Id, chunk.JobId, chunk.Stage, chunk.Epoch, "done", new ChunkCounters(keys.Count, keys.Count, 0), [], [], true, Now, Lease, [.. keys.Select(k => new FreshKey(k, $"record of {k} at {Now:HH:mm}")), .. (attempted ?? []).Select(k => new FreshKey(k, Refreshed: false))]),
            Ct);
        Assert.Equal(Chunks.CheckpointOutcome.Committed, outcome);
        return job.JobId;
    }
}
