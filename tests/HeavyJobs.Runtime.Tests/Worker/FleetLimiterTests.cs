using System.Threading.Channels;
using HeavyJobs.Core.Handlers;
using HeavyJobs.Core.Model;
using HeavyJobs.Runtime.Worker;
using HeavyJobs.Runtime.Worker.StoreAccess;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Politeness;
using HeavyJobs.Storage.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace HeavyJobs.Runtime.Tests.Worker;

public sealed class FleetLimiterTests : IAsyncLifetime
{
    private const string Resource = "whois.example";

    // 4 starts a second: a turn every 250 ms, usable up to 25 ms late.
    private static readonly ResourceLimit Limit = new(RequestsPerSecond: 4, Concurrency: 4, MaxRequestTime: TimeSpan.FromSeconds(30));
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly ArmedFakeTime _time = new(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly Channel<DateTimeOffset> _turns = Channel.CreateUnbounded<DateTimeOffset>();
    private readonly Lock _handing = new();
    private int _handed;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "heavyjobs-tests", Guid.NewGuid().ToString("N"));
    private SqliteStore _inner = null!;
    private IHeavyStore _store = null!;
    private StoreSpy _spy = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _inner = new SqliteStore(Path.Combine(_dir, "l.db"), new SqliteStoreOptions { Synchronous = "NORMAL" }, _time);
        await _inner.MigrateAsync(Ct);
        var (store, spy) = StoreSpy.Wrap(_inner);
        // Every turn the store hands out is told to the test once the limiter has it.
        spy.Intercept = (method, _, args, inner) => method switch
        {
            nameof(IHeavyStore.RateReserveAsync) => Told(inner.RateReserveAsync((RateReserveParams)args[0]!, (CancellationToken)args[1]!)),
            nameof(IHeavyStore.ServerTurnTakeAsync) => Told(inner.ServerTurnTakeAsync((ServerTurnTakeParams)args[0]!, (CancellationToken)args[1]!)),
            _ => null,
        };
        _store = store;
        _spy = spy;
    }

    public async ValueTask DisposeAsync() => await _inner.DisposeAsync();

    [Fact]
    public async Task ATurnWokenLate_IsNeverUsed_HoweverOften_AndTheRequestGoesOnTheFirstTurnItMeets()
    {
        var first = await FirstRequestAsync();

        // The second is given the next turn, a spacing later. Its process wakes 100 ms after each turn it is
        // given (descheduled, a slow database): going then would put it 150 ms from the next request. It takes
        // a fresh turn instead, as often as it wakes late.
        var second = FleetLimiter.AcquireAsync(new DirectStoreCalls(_store), _time, Resource, Limit, Ct).AsTask();
        for (var late = 0; late < 5; late++)
        {
            var turn = await _turns.Reader.ReadAsync(Ct);
            Assert.False(second.IsCompleted, $"the request went on a turn woken late (wake {late})");
            await _time.ArmedForAsync(turn, Ct);
            _time.Advance(turn - _time.GetUtcNow() + TimeSpan.FromMilliseconds(100));
            var next = await Task.WhenAny(second, _turns.Reader.WaitToReadAsync(Ct).AsTask());
            Assert.NotSame(second, next);
        }

        // Woken on time, it goes; the five turns it let pass only left gaps.
        var onTime = await _turns.Reader.ReadAsync(Ct);
        Assert.Equal(first + 6 * Interval, onTime);
        await _time.ArmedForAsync(onTime, Ct);
        _time.Advance(onTime - _time.GetUtcNow());
        await using (await second.WaitAsync(Ct))
        {
            Assert.False(_turns.Reader.TryRead(out _), "no turn was taken after the one used");
        }
    }

    [Fact]
    public async Task ATurnHandedOutBeforeAnotherWorkerIsPushedBack_IsNotUsed_TheRequestGoesAfterThePause()
    {
        var first = await FirstRequestAsync();

        // The next request is given the next turn; before it comes, another worker's answer says "slow down".
        var second = FleetLimiter.AcquireAsync(new DirectStoreCalls(_store), _time, Resource, Limit, Ct).AsTask();
        var turn = await _turns.Reader.ReadAsync(Ct);
        Assert.Equal(first + Interval, turn);
        await _time.ArmedForAsync(turn, Ct);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        var pause = TimeSpan.FromMilliseconds(1500);
        await _inner.RateBackOffAsync(new RateBackOffParams(Resource, pause, FleetLimiter.SlowFor, _time.GetUtcNow()), Ct);
        var pushedBack = _time.GetUtcNow();

        // Woken on time, it finds its turn void and takes one after the pause.
        _time.Advance(turn - _time.GetUtcNow());
        Assert.NotSame(second, await Task.WhenAny(second, _turns.Reader.WaitToReadAsync(Ct).AsTask()));
        var fresh = await _turns.Reader.ReadAsync(Ct);
        Assert.Equal(pushedBack + pause, fresh);
        Assert.False(second.IsCompleted, "the request went on a turn handed out before the push-back");
        await _time.ArmedForAsync(fresh, Ct);
        _time.Advance(fresh - _time.GetUtcNow());
        await using (await second.WaitAsync(Ct))
        {
            Assert.False(_turns.Reader.TryRead(out _), "no turn was taken after the one used");
        }
    }

    [Fact]
    public async Task AtAFastRate_ATurnUsedAStoreWriteLate_StillGoes_OnTurnsSpacedWiderSoASecondHoldsNoMore()
    {
        // 100 a second: a tenth of the spacing is 1 ms, less than a store write; 25 ms is allowed instead, and the
        // turns are 10.24 ms apart (11 in the store's whole milliseconds) so no one-second window holds more than 101.
        var fast = Limit with { RequestsPerSecond = 100 };
        var first = _time.GetUtcNow();
        await using (await FleetLimiter.AcquireAsync(new DirectStoreCalls(_store), _time, Resource, fast, Ct))
        {
            Assert.Equal(first, await _turns.Reader.ReadAsync(Ct));
        }

        var second = FleetLimiter.AcquireAsync(new DirectStoreCalls(_store), _time, Resource, fast, Ct).AsTask();
        var turn = await _turns.Reader.ReadAsync(Ct);
        Assert.Equal(first + TimeSpan.FromMilliseconds(11), turn);
        await _time.ArmedForAsync(turn, Ct);
        _time.Advance(turn - _time.GetUtcNow() + TimeSpan.FromMilliseconds(20));
        await using (await second.WaitAsync(Ct))
        {
            Assert.False(_turns.Reader.TryRead(out _), "a turn 20 ms late was thrown away at 100/s");
        }
    }

    [Fact]
    public async Task AStoreSlowerToAnswerThanATurnMayBeLate_TheRequestAsksForItsTurnThatFarAhead_AndGoesOnItInsteadOfThrowingEveryTurnAway()
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromMinutes(1));
        // Every turn the store hands out reaches the worker 60 ms after it asked (a loaded box, the monitor between
        // them): more than the 25 ms a turn may be late at 100 a second, where the turns are 11 ms apart.
        var trip = TimeSpan.FromMilliseconds(60);
        SlowTurns(trip);
        var fast = Limit with { RequestsPerSecond = 100 };
        var worker = new DirectStoreCalls(_store);
        var asked = _time.GetUtcNow();

        // The first turn, asked for "now", comes back 60 ms late and is thrown away; the next is asked for the
        // round trip plus twice its variation (half a first trip: 60 + 60) ahead, less the 25 ms it may be late,
        // comes back with 35 ms to spare, and is the one the request goes on.
        var request = FleetLimiter.AcquireAsync(worker, _time, Resource, fast, deadline.Token).AsTask();
        Assert.Equal(asked, await _turns.Reader.ReadAsync(deadline.Token));
        var second = await _turns.Reader.ReadAsync(deadline.Token);
        Assert.Equal(asked + trip + (trip + trip) - TimeSpan.FromMilliseconds(25), second);
        await _time.ArmedForAsync(second, deadline.Token);
        _time.Advance(second - _time.GetUtcNow());
        await (await request.WaitAsync(deadline.Token)).DisposeAsync();
        Assert.Equal(trip, FleetLimiter.RoundTripFor(worker, Resource));

        // The process's next request asks that far ahead at once: one turn, used on time, no turn thrown away.
        var next = FleetLimiter.AcquireAsync(worker, _time, Resource, fast, deadline.Token).AsTask();
        var itsTurn = await _turns.Reader.ReadAsync(deadline.Token);
        await _time.ArmedForAsync(itsTurn, deadline.Token);
        _time.Advance(itsTurn - _time.GetUtcNow());
        await using (await next.WaitAsync(deadline.Token))
        {
            Assert.False(_turns.Reader.TryRead(out _), "a turn was thrown away with the round trip known");
            Assert.Equal(0, _spy.Count(nameof(IHeavyStore.RateTurnStandsAsync)));
        }
    }

    [Fact]
    public async Task ATurnAskedForAhead_IsVoid_WhenAQueryOfTheSameProcessIsPushedBackWhileItWaits_WithoutAskingTheStore()
    {
        // As above: every turn reaches the worker 60 ms after it asked, so at 100 a second the process asks for its
        // turns ahead once its first came back late.
        SlowTurns(TimeSpan.FromMilliseconds(60));
        var worker = new DirectStoreCalls(_store);
        var fast = Limit with { RequestsPerSecond = 100 };
        var first = FleetLimiter.AcquireAsync(worker, _time, Resource, fast, Ct).AsTask();
        await _turns.Reader.ReadAsync(Ct);
        var used = await _turns.Reader.ReadAsync(Ct);
        await _time.ArmedForAsync(used, Ct);
        _time.Advance(used - _time.GetUtcNow());
        await (await first.WaitAsync(Ct)).DisposeAsync();

        // The next request's turn is free at the earliest it asked for, so nothing would ask the store about it. While
        // it waits for it, another query of the same fetcher reads "limit exceeded" and stores the pause.
        var next = FleetLimiter.AcquireAsync(worker, _time, Resource, fast, Ct).AsTask();
        var itsTurn = await _turns.Reader.ReadAsync(Ct);
        Assert.True(itsTurn > _time.GetUtcNow(), "the turn came back ahead of its start");
        var pause = TimeSpan.FromMilliseconds(1500);
        var pushedBack = _time.GetUtcNow();
        var chunk = new ClaimedChunk(1, 1, 0, "whois.fetch", 1, "{}", null, new ChunkCounters(0, 0, 0), 1, 3, 0, pushedBack.AddMinutes(1));
        await FleetLimiter.BackOffAsync(worker, _time, Resource, pause, chunk, Ct);

        // Woken at its turn, it does not go: it takes a turn after the pause, knowing of the push-back from its own process.
        await _time.ArmedForAsync(itsTurn, Ct);
        _time.Advance(itsTurn - _time.GetUtcNow());
        Assert.NotSame(next, await Task.WhenAny(next, _turns.Reader.WaitToReadAsync(Ct).AsTask()));
        var fresh = await _turns.Reader.ReadAsync(Ct);
        Assert.Equal(pushedBack + pause, fresh);
        Assert.False(next.IsCompleted, "the request went on a turn reserved before its own process's push-back");
        Assert.Equal(0, _spy.Count(nameof(IHeavyStore.RateTurnStandsAsync)));
        await _time.ArmedForAsync(fresh, Ct);
        _time.Advance(fresh - _time.GetUtcNow());
        await (await next.WaitAsync(Ct)).DisposeAsync();
    }

    [Fact]
    public async Task ASlotFreedInTheProcess_GoesStraightToTheRequestWaitingForIt_InOneStoreWrite_AndTheCapHolds_ThenWithNoneWaitingGoesBackAtOnce()
    {
        // A deadline so that a broken hand-over fails instead of hanging (fake time never polls the store again).
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromMinutes(1));
        var one = Limit with { Concurrency = 1 };
        var worker = new DirectStoreCalls(_store);
        var first = (IResourceTurn)await FleetLimiter.AcquireAsync(worker, _time, Resource, one, deadline.Token);
        Assert.False(first.Queued, "a free slot and a turn at once are no queue");
        var start = await _turns.Reader.ReadAsync(deadline.Token);

        var second = FleetLimiter.AcquireAsync(worker, _time, Resource, one, deadline.Token).AsTask();
        while (FleetLimiter.WaitingFor(worker, Resource) == 0)
            await Task.Delay(1, deadline.Token);
        Assert.False(second.IsCompleted, "two requests went with one slot");
        var releases = _spy.Count(nameof(IHeavyStore.ServerSlotReleaseAsync));
        var takes = _spy.Count(nameof(IHeavyStore.ServerTurnTakeAsync));

        // The first ends: its slot passes to the second, which renews it and takes the next turn in one write.
        await first.DisposeAsync();
        var turn = await _turns.Reader.ReadAsync(deadline.Token);
        Assert.Equal(start + Interval, turn);
        await _time.ArmedForAsync(turn, deadline.Token);
        _time.Advance(turn - _time.GetUtcNow());
        var secondTurn = (IResourceTurn)await second.WaitAsync(deadline.Token);
        Assert.True(secondTurn.Queued, "it found every slot busy");
        Assert.Equal(releases, _spy.Count(nameof(IHeavyStore.ServerSlotReleaseAsync)));
        Assert.Equal(takes + 1, _spy.Count(nameof(IHeavyStore.ServerTurnTakeAsync)));
        Assert.Equal(0, _spy.Count(nameof(IHeavyStore.ServerSlotAcquireAsync)));

        // The second ends with no request of the process waiting, well within FullMemory of finding the slots full
        // (other processes would be waiting too): the slot goes back to the store with no time passing. Kept
        // SpareFor for this process, it would wait for a clock that never moves.
        await secondTurn.DisposeAsync();
        while (_spy.Count(nameof(IHeavyStore.ServerSlotReleaseAsync)) == releases)
            await Task.Delay(1, deadline.Token);
        Assert.Equal(turn, _time.GetUtcNow());
        Assert.Equal(releases + 1, _spy.Count(nameof(IHeavyStore.ServerSlotReleaseAsync)));
    }

    [Fact]
    public async Task ASlotNoRequestWaitsFor_IsKeptBrieflyForTheProcesssNextRequest_ThenGoesBackToTheStore()
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromMinutes(1));
        var one = Limit with { Concurrency = 1 };
        var fetcher = new DirectStoreCalls(_store);
        var other = new DirectStoreCalls(_store);
        await (await FleetLimiter.AcquireAsync(fetcher, _time, Resource, one, deadline.Token)).DisposeAsync();
        var start = await _turns.Reader.ReadAsync(deadline.Token);
        var releases = _spy.Count(nameof(IHeavyStore.ServerSlotReleaseAsync));

        // The slot is kept for this process: another process of the fleet finds none free and waits.
        var elsewhere = FleetLimiter.AcquireAsync(other, _time, Resource, one, deadline.Token).AsTask();
        while (FleetLimiter.WaitingFor(other, Resource) == 0 && !elsewhere.IsCompleted)
            await Task.Delay(1, deadline.Token);
        Assert.False(elsewhere.IsCompleted, "the slot went back to the store at once");

        // This process's next request takes it with its turn in one write; nothing went back in between.
        var takes = _spy.Count(nameof(IHeavyStore.ServerTurnTakeAsync));
        var next = FleetLimiter.AcquireAsync(fetcher, _time, Resource, one, deadline.Token).AsTask();
        var turn = await _turns.Reader.ReadAsync(deadline.Token);
        Assert.Equal(start + Interval, turn);
        await _time.ArmedForAsync(turn, deadline.Token);
        _time.Advance(turn - _time.GetUtcNow());
        await (await next.WaitAsync(deadline.Token)).DisposeAsync();
        Assert.Equal(releases, _spy.Count(nameof(IHeavyStore.ServerSlotReleaseAsync)));
        Assert.False(elsewhere.IsCompleted, "two requests went with one slot");

        // No request of this process comes: after SpareFor the slot goes back, and the other process takes it.
        // Counted before the step: the other process's ask may already be on its way (its retry timer fired in an
        // earlier step) and be handed the slot the moment it goes back, before the loop below looks.
        int handed;
        lock (_handing)
            handed = _handed;
        _time.Advance(FleetLimiter.SpareFor);
        // Time moves until the other process is handed its turn, and not once after: a step between its "now" and
        // its timer would aim the timer past the turn.
        while (true)
        {
            lock (_handing)
            {
                if (_handed > handed)
                    break;
                _time.Advance(TimeSpan.FromMilliseconds(10));
            }

            await Task.Delay(1, deadline.Token);
        }

        var later = await _turns.Reader.ReadAsync(deadline.Token);

        Assert.Equal(releases + 1, _spy.Count(nameof(IHeavyStore.ServerSlotReleaseAsync)));
        Assert.Equal(turn + Interval, later);
        await _time.ArmedForAsync(later, deadline.Token);
        _time.Advance(later - _time.GetUtcNow());
        await using (await elsewhere.WaitAsync(deadline.Token))
        {
            Assert.True(_spy.Count(nameof(IHeavyStore.ServerTurnTakeAsync)) > takes + 1, "the other process took its slot from the store");
        }
    }

    /// <summary>The first request finds the resource free and goes at once, on a turn of the current time.</summary>
    private async Task<DateTimeOffset> FirstRequestAsync()
    {
        var first = _time.GetUtcNow();
        await using (await FleetLimiter.AcquireAsync(new DirectStoreCalls(_store), _time, Resource, Limit, Ct))
        {
            Assert.Equal(first, await _turns.Reader.ReadAsync(Ct));
        }

        return first;
    }

    /// <summary>Every turn the store hands out reaches the worker <paramref name="trip"/> after it asked.</summary>
    private void SlowTurns(TimeSpan trip) =>
        _spy.Intercept = (method, _, args, inner) => method switch
        {
            nameof(IHeavyStore.RateReserveAsync) => Slow(inner.RateReserveAsync((RateReserveParams)args[0]!, (CancellationToken)args[1]!), trip),
            nameof(IHeavyStore.ServerTurnTakeAsync) => Slow(inner.ServerTurnTakeAsync((ServerTurnTakeParams)args[0]!, (CancellationToken)args[1]!), trip),
            _ => null,
        };

    /// <summary>The store's answer, reaching the worker <paramref name="trip"/> after it asked.</summary>
    private async Task<T> Slow<T>(Task<T> call, TimeSpan trip)
    {
        var answer = await call;
        _time.Advance(trip);
        if (answer is ServerTurn turn)
            Tell(turn.Start);
        else if (answer is DateTimeOffset start)
            Tell(start);
        return answer;
    }

    private async Task<ServerTurn?> Told(Task<ServerTurn?> take)
    {
        var turn = await take;
        if (turn is not null)
            Tell(turn.Start);
        return turn;
    }

    private async Task<DateTimeOffset> Told(Task<DateTimeOffset> reserve)
    {
        var start = await reserve;
        Tell(start);
        return start;
    }

    private void Tell(DateTimeOffset turn)
    {
        lock (_handing)
        {
            _handed++;
            _turns.Writer.TryWrite(turn);
        }
    }
}
