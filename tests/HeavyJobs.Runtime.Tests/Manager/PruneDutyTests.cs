using HeavyJobs.Runtime.Hosting;
using HeavyJobs.Runtime.Manager;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Pipelines;
using HeavyJobs.Storage.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace HeavyJobs.Runtime.Tests.Manager;

public sealed class PruneDutyTests : IAsyncLifetime
{
    private static readonly ManagerAgenda Idle = new(false, null, null);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private SqliteStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = new SqliteStore(Path.Combine(Path.GetTempPath(), "heavyjobs-tests", Guid.NewGuid().ToString("N"), "p.db"), new SqliteStoreOptions { Synchronous = "NORMAL" }, _time);
        await _store.MigrateAsync(Ct);
    }

    public async ValueTask DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task PruneDuty_WaitsItsInterval_ThenRemovesWhatIsOld_AndLogsOnePruneAction()
    {
        for (var i = 0; i < 5; i++)
        {
            await _store.ActionInsertAsync(new ActionInsertParams("test", ActionKinds.Start, $"old {i}", _time.GetUtcNow()), Ct);
        }

        _time.Advance(TimeSpan.FromDays(31));
        var options = new ManagerOptions { Retention = new RetentionOptions { Interval = TimeSpan.FromHours(1), Actions = TimeSpan.FromDays(30), Batch = 2, BatchPause = TimeSpan.Zero } };
        var duty = new PruneDuty(_store, options, _time);

        // A manager that just started prunes only after an interval: restarts never turn into prunes.
        Assert.Equal(_time.GetUtcNow().AddHours(1), await duty.RunAsync(Idle, _time.GetUtcNow(), Ct));
        Assert.Equal(5, (await _store.ActionListAsync(new ActionListParams(), Ct)).Count);

        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(_time.GetUtcNow().AddHours(1), await duty.RunAsync(Idle, _time.GetUtcNow(), Ct));

        var left = Assert.Single(await _store.ActionListAsync(new ActionListParams(), Ct));
        Assert.Equal((HeavyManager.Actor, ActionKinds.Prune), (left.Actor, left.Kind));
        Assert.Contains("5 actions", left.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void RetentionOptions_AreValidated_NamingTheOption()
    {
        var result = new ManagerOptionsValidator().Validate(null, new ManagerOptions { Retention = new RetentionOptions { Batch = 0, Actions = TimeSpan.Zero } });

        Assert.True(result.Failed);
        Assert.Contains("HeavyJobs:Manager:Retention:Batch must be at least 1 (got 0)", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("HeavyJobs:Manager:Retention:Actions must be positive", result.FailureMessage, StringComparison.Ordinal);
    }
}
