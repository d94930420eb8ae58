using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Runtime.Manager;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
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
        var manager = new HeavyManager(_store, (_, _, _) => Task.FromResult(0L), _time, NullLoggerFactory.Instance);
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

    private ScheduleRunner Runner() => new(
        _store,
        async (definition, _, ct) => (await _store.JobInsertAsync(
            new JobInsertParams(definition.Name, definition.Stages, "{}", ["{}"], 0, 3, _time.GetUtcNow()),
            ct)).JobId);
}
