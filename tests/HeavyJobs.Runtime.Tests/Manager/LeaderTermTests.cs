using HeavyJobs.Runtime.Manager;
using HeavyJobs.Storage.Fleet;
using HeavyJobs.Storage.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace HeavyJobs.Runtime.Tests.Manager;

/// <summary>
/// A leader's term under fake time, on the real "manager" lock of a SQLite store, whose renewals a test stalls
/// (the fault a frozen or starved leader meets: its renewal has not answered yet). A leader acts only while its
/// last renewal is recent enough that the lock cannot yet be gone; past that it asks the lock first.
/// </summary>
public sealed class LeaderTermTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));
    private readonly ManagerOptions _options = new() { LeaderLockIdle = TimeSpan.FromSeconds(10) };
    private readonly List<TimeSpan> _late = [];
    private SqliteStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var path = Path.Combine(Path.GetTempPath(), "heavyjobs-tests", Guid.NewGuid().ToString("N"), "w.db");
        _store = new SqliteStore(path, new SqliteStoreOptions { Synchronous = "NORMAL" }, _time);
        await _store.MigrateAsync(Ct);
    }

    public async ValueTask DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task ATermWhoseRenewalHasNotAnsweredPastSevenTenthsOfTheIdleLimit_IsNotValid_AndActsAgainOnlyOnceTheLockSaysItIsHeld()
    {
        var held = await StalledLockAsync();
        await using var term = new LeaderTerm(held, 1, _time.GetTimestamp(), _options, _time, _late.Add);
        Assert.True(term.Valid);

        // Its renewals (due every third of the idle limit) do not answer: what counts is the last one that did.
        _time.Advance(_options.LeaderLockIdle * 0.5);
        Assert.True(term.Valid, "a term renewed 5 s ago, of a 10 s idle limit, was not valid");
        _time.Advance(_options.LeaderLockIdle * 0.2);
        Assert.False(term.Valid, "a term whose last renewal is 7 s old, of a 10 s idle limit, let its leader act");

        // Before acting, the leader asks the lock, and waits for its answer.
        var ensure = term.EnsureHeldAsync(Ct).AsTask();
        Assert.False(ensure.IsCompleted);
        held.Answer(true);
        Assert.True(await ensure.WaitAsync(TimeSpan.FromMinutes(1), Ct));
        Assert.True(term.Valid);
        Assert.False(term.Lost.IsCancellationRequested);
        Assert.Contains(_late, late => late >= _options.LeaderLockIdle * 0.7);
    }

    [Fact]
    public async Task ATermWhoseLockSaysItIsGone_IsLost_AndItsLeaderDoesNotAct()
    {
        var held = await StalledLockAsync();
        await using var term = new LeaderTerm(held, 1, _time.GetTimestamp(), _options, _time, _late.Add);
        _time.Advance(_options.LeaderLockIdle);

        var ensure = term.EnsureHeldAsync(Ct).AsTask();
        held.Answer(false);
        Assert.False(await ensure.WaitAsync(TimeSpan.FromMinutes(1), Ct));
        Assert.False(term.Valid);
        Assert.True(term.Lost.IsCancellationRequested);
    }

    [Fact]
    public async Task ATermCountsFromWhenItsLockWasTaken_SoALeaderFrozenBeforeItsTermBegan_AsksTheLockBeforeItActs()
    {
        var held = await StalledLockAsync();
        var taken = _time.GetTimestamp();
        // Frozen after taking the lock, while its new epoch was being written: the lock's session may be gone.
        _time.Advance(_options.LeaderLockIdle);
        await using var term = new LeaderTerm(held, 1, taken, _options, _time, _late.Add);
        Assert.False(term.Valid, "a term begun 10 s after its lock was taken, of a 10 s idle limit, let its leader act at once");

        var ensure = term.EnsureHeldAsync(Ct).AsTask();
        Assert.False(ensure.IsCompleted);
        held.Answer(true);
        Assert.True(await ensure.WaitAsync(TimeSpan.FromMinutes(1), Ct));
        Assert.True(term.Valid);
        Assert.Contains(_late, late => late >= _options.LeaderLockIdle);
    }

    private async Task<StalledLock> StalledLockAsync() =>
        new(await _store.TryLockAsync(Leadership.LockName, new LockOptions(_options.LeaderLockIdle), Ct) ?? throw new InvalidOperationException("the manager lock is taken"));

    /// <summary>The real lock, whose renewals (the term's own loop's too) wait until the test answers for them; every later one is answered the same way.</summary>
    private sealed class StalledLock(IStoreLock inner) : IStoreLock
    {
        private readonly TaskCompletionSource<bool> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => inner.Name;

        public void Answer(bool held) => _answer.SetResult(held);

        public async Task<bool> RenewAsync(CancellationToken cancellationToken) =>
            await _answer.Task.WaitAsync(cancellationToken) && await inner.RenewAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
