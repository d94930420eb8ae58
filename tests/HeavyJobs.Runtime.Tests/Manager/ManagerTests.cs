using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Runtime.Manager;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.KeySets;
using HeavyJobs.Runtime.Jobs;
using HeavyJobs.Core.Handlers;
using HeavyJobs.Storage.Schedules;
using HeavyJobs.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace HeavyJobs.Runtime.Tests.Manager;

public sealed class ManagerTests : IAsyncLifetime
{
    private const string Every10Minutes = "*/10 * * * *";
    private const string JobJson = """{ "name": "refresh", "type": "t", "split": { "inputs": [1, 2] } }""";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 3, 0, TimeSpan.Zero));
    private SqliteStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = new SqliteStore(Path.Combine(Path.GetTempPath(), "heavyjobs-tests", Guid.NewGuid().ToString("N"), "m.db"), new SqliteStoreOptions { Synchronous = "NORMAL" }, _time);
        await _store.MigrateAsync(Ct);
    }

    public async ValueTask DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task Schedule_FiresOnTime_UnderFakeTime()
    {
        var runner = Runner();
        await ScheduleRunner.UpsertAsync(_store, "refresh", Every10Minutes, JobJson, CatchUp.Once, _time.GetUtcNow(), Ct);

        _time.Advance(TimeSpan.FromMinutes(6));
        Assert.Empty(await runner.TickAsync(_time.GetUtcNow(), Ct));
        _time.Advance(TimeSpan.FromMinutes(1));
        var fired = Assert.Single(await runner.TickAsync(_time.GetUtcNow(), Ct));

        var s = Assert.Single(await _store.ScheduleListAsync(Ct));
        Assert.Equal(fired, s.LastJobId);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 20, 0, TimeSpan.Zero), s.NextRunAt);
        Assert.Equal("refresh", (await _store.JobGetAsync(fired, Ct))!.Name);
        // Logged by the job's own transaction (the store's conformance tests show it): with the job, or not at all.
        var ran = Assert.Single(await _store.ActionListAsync(new ActionListParams(Kind: ActionKinds.ScheduleRun), Ct));
        Assert.Equal(fired, ran.JobId);
        Assert.StartsWith($"refresh: submitted job {fired} (due 2026-03-01 12:10:00Z)", ran.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Schedule_NeverStartsWhileItsPreviousRunStillGoes()
    {
        var runner = Runner();
        await ScheduleRunner.UpsertAsync(_store, "refresh", Every10Minutes, JobJson, CatchUp.Once, _time.GetUtcNow(), Ct);
        _time.Advance(TimeSpan.FromMinutes(7));
        var first = Assert.Single(await runner.TickAsync(_time.GetUtcNow(), Ct));

        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Empty(await runner.TickAsync(_time.GetUtcNow(), Ct));
        Assert.Contains(await _store.ActionListAsync(new ActionListParams(Kind: "schedule-skip"), Ct), a => a.Reason.Contains($"job {first} still runs", StringComparison.Ordinal));

        // Once the first run is over, the next occurrence runs.
        await _store.JobCancelAsync(new JobChangeParams(first, _time.GetUtcNow()), Ct);
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.NotEqual(first, Assert.Single(await runner.TickAsync(_time.GetUtcNow(), Ct)));
    }

    [Theory]
    [InlineData(CatchUp.Once, 1)]
    [InlineData(CatchUp.SkipMissed, 0)]
    public async Task Schedule_AfterDowntime_CatchesUpAsConfigured(string catchUp, int runsNow)
    {
        var runner = Runner();
        await ScheduleRunner.UpsertAsync(_store, "refresh", Every10Minutes, JobJson, catchUp, _time.GetUtcNow(), Ct);

        // The manager was down for three hours: eighteen occurrences were missed.
        _time.Advance(TimeSpan.FromHours(3));
        Assert.Equal(runsNow, (await runner.TickAsync(_time.GetUtcNow(), Ct)).Count);

        var s = Assert.Single(await _store.ScheduleListAsync(Ct));
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 15, 10, 0, TimeSpan.Zero), s.NextRunAt);
        Assert.Equal(runsNow, (await _store.JobListAsync(new JobListParams(), Ct)).Count);
    }

    [Fact]
    public async Task Manager_ReleasesABarrierStageOnlyWhenUpstreamIsDone_AndLogsIt()
    {
        var job = await _store.JobInsertAsync(
            new JobInsertParams(
                "pipe",
                [new StageDefinition("fetch", "f", StageMode.Streaming), new StageDefinition("aggregate", "a", StageMode.Barrier)],
                "{}",
                ["{}", "{}"],
                0,
                3,
                _time.GetUtcNow()),
            Ct);
        var manager = new HeavyManager(_store, (_, _, _, _) => Task.FromResult(0L), _time, NullLoggerFactory.Instance);
        var fetch = await _store.ChunkClaimAsync(new ChunkClaimParams(1, ["f"], 2, _time.GetUtcNow(), TimeSpan.FromSeconds(30)), Ct);
        await _store.ChunkCompleteManyAsync(new ChunkCompleteManyParams([new ChunkCompletion(fetch[0].Id, fetch[0].Epoch, null, new ChunkCounters(1, 1, 0))], _time.GetUtcNow()), Ct);

        await manager.StepAsync(Ct);
        Assert.Empty(await _store.ChunkClaimAsync(new ChunkClaimParams(2, ["a"], 1, _time.GetUtcNow(), TimeSpan.FromSeconds(30)), Ct));

        await _store.ChunkCompleteManyAsync(new ChunkCompleteManyParams([new ChunkCompletion(fetch[1].Id, fetch[1].Epoch, null, new ChunkCounters(1, 1, 0))], _time.GetUtcNow()), Ct);
        await manager.StepAsync(Ct);

        var aggregate = Assert.Single(await _store.ChunkClaimAsync(new ChunkClaimParams(2, ["a"], 1, _time.GetUtcNow(), TimeSpan.FromSeconds(30)), Ct));
        Assert.Equal(1, aggregate.Stage);
        Assert.Contains(await _store.ActionListAsync(new ActionListParams(Kind: "advance"), Ct), a => a.JobId == job.JobId);
        await _store.ChunkCompleteManyAsync(new ChunkCompleteManyParams([new ChunkCompletion(aggregate.Id, aggregate.Epoch, null, ChunkCounters.Zero)], _time.GetUtcNow()), Ct);
        await manager.StepAsync(Ct);
        Assert.Equal(JobState.Completed, (await _store.JobGetAsync(job.JobId, Ct))!.State);
        Assert.Contains(await _store.ActionListAsync(new ActionListParams(Kind: "job-completed"), Ct), a => a.JobId == job.JobId);
    }

    [Fact]
    public async Task Schedule_RefreshesOnlyTheKeysOlderThanItsAge_AndSaysWhenNothingIsStale()
    {
        await _store.KeySetLoadAsync(new KeySetLoadParams("domains", Enumerable.Range(0, 6).Select(i => $"d{i}.com"), _time.GetUtcNow()), Ct);
        var registry = HandlerRegistry.CreateBuilder().Add<Worker.CountingHandler>("fetch").Build();
        var runner = new ScheduleRunner(
            _store,
            async (definition, source, fire, ct) => (await JobSubmitter.SubmitAsync(_store, registry, definition, source, ".", _time, fire, ct)).JobId);
        const string refresh = """{ "name": "refresh", "type": "fetch", "split": { "staleKeys": { "set": "domains", "olderThan": "25m", "size": 2 } } }""";
        await ScheduleRunner.UpsertAsync(_store, "refresh", Every10Minutes, refresh, CatchUp.Once, _time.GetUtcNow(), Ct);

        // 12:10: nothing was ever fetched, so everything is due. The fetch of d5.com fails: it stays stale.
        _time.Advance(TimeSpan.FromMinutes(7));
        Assert.Equal(["d0.com", "d1.com", "d2.com", "d3.com", "d4.com", "d5.com"], await RunRefreshAsync(runner, fails: "d5.com"));

        // 12:20: only the one that failed.
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(["d5.com"], await RunRefreshAsync(runner));

        // 12:30: everything was refreshed within 25 minutes: no job, and the action log says why.
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Empty(await runner.TickAsync(_time.GetUtcNow(), Ct));
        Assert.Contains(await _store.ActionListAsync(new ActionListParams(Kind: "schedule-idle"), Ct), a => a.Reason.Contains("nothing to refresh", StringComparison.Ordinal));

        // 12:40: the five refreshed at 12:11 are older than 25 minutes; d5.com (12:21) is not.
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(["d0.com", "d1.com", "d2.com", "d3.com", "d4.com"], await RunRefreshAsync(runner));
    }

    /// <summary>Fires the schedule, then does what fetchers do a minute later: checkpoint every chunk, marking the keys they fetched.</summary>
    private async Task<List<string>> RunRefreshAsync(ScheduleRunner runner, string? fails = null)
    {
        var job = Assert.Single(await runner.TickAsync(_time.GetUtcNow(), Ct));
        _time.Advance(TimeSpan.FromMinutes(1));
        var keys = new List<string>();
        foreach (var chunk in await _store.ChunkClaimAsync(new ChunkClaimParams(1, ["fetch"], 100, _time.GetUtcNow(), TimeSpan.FromMinutes(5)), Ct))
        {
            Assert.Equal(job, chunk.JobId);
            var chunkKeys = System.Text.Json.JsonDocument.Parse(chunk.Input).RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetString()!).ToList();
            keys.AddRange(chunkKeys);
            var fresh = chunkKeys.Where(k => k != fails).Select(k => new FreshKey(k)).ToList();
            await _store.ChunkCheckpointAsync(
                new ChunkCheckpointParams(chunk.Id, job, 0, chunk.Epoch, "done", new ChunkCounters(chunkKeys.Count, fresh.Count, chunkKeys.Count - fresh.Count), [], [], true, _time.GetUtcNow(), TimeSpan.FromMinutes(5), fresh),
                Ct);
        }

        Assert.Contains(job, await _store.JobFinishCompletedAsync(new JobFinishParams(_time.GetUtcNow()), Ct));
        return keys.Order(StringComparer.Ordinal).ToList();
    }

    [Fact]
    public async Task Manager_WhenIdle_SleepsUntilTheNextScheduleIsDue_AndTicksWhileJobsRun()
    {
        var manager = new HeavyManager(_store, (_, _, _, _) => Task.FromResult(0L), _time, NullLoggerFactory.Instance);
        Assert.Equal(new ManagerOptions().IdleSleep, await manager.StepAsync(Ct));

        // The schedule fires at 12:10: at 12:03 the manager still sleeps its longest; at 12:09:30, until 12:10.
        await ScheduleRunner.UpsertAsync(_store, "refresh", Every10Minutes, JobJson, CatchUp.Once, _time.GetUtcNow(), Ct);
        Assert.Equal(new ManagerOptions().IdleSleep, await manager.StepAsync(Ct));
        _time.Advance(TimeSpan.FromSeconds(390));
        Assert.Equal(TimeSpan.FromSeconds(30), await manager.StepAsync(Ct));

        await _store.JobInsertAsync(new JobInsertParams("running", [new StageDefinition("main", "t", StageMode.Streaming)], "{}", ["{}"], 0, 3, _time.GetUtcNow()), Ct);
        Assert.Equal(new ManagerOptions().Tick, await manager.StepAsync(Ct));
    }

    private ScheduleRunner Runner() => new(
        _store,
        async (definition, _, fire, ct) => (await _store.JobInsertAsync(
            new JobInsertParams(definition.Name, definition.Stages, "{}", ["{}"], 0, 3, _time.GetUtcNow(), Fire: fire),
            ct)).JobId);
}
