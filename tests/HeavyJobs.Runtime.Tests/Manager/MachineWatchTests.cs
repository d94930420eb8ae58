using HeavyJobs.Runtime.Manager;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Faults;
using HeavyJobs.Storage.Nodes;
using HeavyJobs.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace HeavyJobs.Runtime.Tests.Manager;

/// <summary>The leading manager's watch over machines' heartbeats, on a real store under fake time.</summary>
public sealed class MachineWatchTests : IAsyncLifetime
{
    private static readonly TimeSpan Beat = TimeSpan.FromSeconds(5);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));
    private readonly Outage _outage = new();
    private readonly ManagerOptions _options = new();
    private SqliteStore _store = null!;
    private HeavyManager _manager = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private TimeSpan Silence => Beat * _options.MissedBeats;

    public async ValueTask InitializeAsync()
    {
        var path = Path.Combine(Path.GetTempPath(), "heavyjobs-tests", Guid.NewGuid().ToString("N"), "w.db");
        _store = new SqliteStore(path, new SqliteStoreOptions { Synchronous = "NORMAL" }, _time) { Faults = _outage };
        await _store.MigrateAsync(Ct);
        _manager = new HeavyManager(_store, [new MachineWatchDuty(_store, _options)], _options, _time, NullLoggerFactory.Instance);
        await _store.NodeJoinAsync(new NodeJoinParams("m1", "boot-1", "1", 2, 100, "host-1", Beat, _time.GetUtcNow()), Ct);
    }

    public async ValueTask DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task AMachineSilentPastItsMissedBeats_IsDeclaredDead()
    {
        _time.Advance(Silence + TimeSpan.FromSeconds(1));
        await _manager.StepAsync(Ct);

        Assert.Equal(NodeStates.Dead, (await NodeAsync()).State);
    }

    [Fact]
    public async Task SilenceWhileTheStoreWasAway_IsNoEvidence_TheMachineGetsItsMissedBeatsAgainFromTheStoresReturn()
    {
        await _manager.StepAsync(Ct);

        // The database restarts: no monitor can beat, and the manager's passes fail, for longer than the silence.
        _outage.Down = true;
        _time.Advance(Silence + TimeSpan.FromSeconds(4));
        await Assert.ThrowsAnyAsync<Exception>(() => _manager.StepAsync(Ct));
        _outage.Down = false;

        // Back: the machine has not had the chance to beat, so it is not dead yet.
        await _manager.StepAsync(Ct);
        Assert.Equal(NodeStates.Up, (await NodeAsync()).State);
        _time.Advance(Silence - TimeSpan.FromSeconds(1));
        await _manager.StepAsync(Ct);
        Assert.Equal(NodeStates.Up, (await NodeAsync()).State);

        // A machine that stays silent that long after the return is dead, once.
        _time.Advance(TimeSpan.FromSeconds(2));
        await _manager.StepAsync(Ct);
        Assert.Equal(NodeStates.Dead, (await NodeAsync()).State);
        Assert.Single(await _store.ActionListAsync(new ActionListParams(100), Ct), a => a.Kind == ActionKinds.MachineDead);
    }

    private async Task<NodeRow> NodeAsync() => (await _store.NodeListAsync(Ct)).Single(n => n.Name == "m1");

    /// <summary>Every store call fails while <see cref="Down"/>, as when the database is away.</summary>
    private sealed class Outage : IStoreFaults
    {
        public bool Down { get; set; }

        public void Strike(StoreFaultPoint point, bool write)
        {
            if (Down)
            {
                throw new InvalidOperationException("test: the database is away");
            }
        }
    }
}
