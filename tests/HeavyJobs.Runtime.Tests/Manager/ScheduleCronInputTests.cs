using HeavyJobs.Core.Definitions;
using HeavyJobs.Runtime.Manager;
using HeavyJobs.Storage.Schedules;
using HeavyJobs.Storage.Sqlite;

namespace HeavyJobs.Runtime.Tests.Manager;

/// <summary>
/// A schedule's cron expression is a door: what cannot be parsed, or parses but never fires, is refused when the
/// schedule is added, with the field named, and nothing is stored (a never-firing schedule would otherwise make the
/// manager's every tick fail on it).
/// </summary>
public sealed class ScheduleCronInputTests : IAsyncLifetime
{
    private const string JobJson = """{ "name": "refresh", "type": "t", "split": { "inputs": [1] } }""";
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private SqliteStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = new SqliteStore(Path.Combine(Path.GetTempPath(), "heavyjobs-tests", Guid.NewGuid().ToString("N"), "c.db"), new SqliteStoreOptions { Synchronous = "NORMAL" });
        await _store.MigrateAsync(Ct);
    }

    public async ValueTask DisposeAsync() => await _store.DisposeAsync();

    [Theory]
    [InlineData("0 0 30 2 *", "never fires")]
    [InlineData("0 0 31 4 *", "never fires")]
    [InlineData("0 0 31 2,4,6,9,11 *", "never fires")]
    [InlineData("not a cron", "cron")]
    [InlineData("61 * * * *", "cron")]
    [InlineData("* * * * * * * *", "cron")]
    [InlineData("", "cron")]
    public async Task ACronThatCannotOrNeverFires_IsRefusedAtScheduleTime_NamingTheField_AndNothingIsStored(string cron, string expected)
    {
        var e = await Assert.ThrowsAsync<JobDefinitionException>(() => ScheduleRunner.UpsertAsync(_store, "nightly", cron, JobJson, CatchUp.Once, Now, Ct));
        Assert.Equal("cron", e.Field);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Empty(await _store.ScheduleListAsync(Ct));
    }

    [Fact]
    public async Task ALeapDayCron_FiresInTheNextLeapYear_AndIsAccepted()
    {
        await ScheduleRunner.UpsertAsync(_store, "leap", "0 0 29 2 *", JobJson, CatchUp.Once, Now, Ct);
        Assert.Equal(new DateTimeOffset(2028, 2, 29, 0, 0, 0, TimeSpan.Zero), Assert.Single(await _store.ScheduleListAsync(Ct)).NextRunAt);
    }
}
