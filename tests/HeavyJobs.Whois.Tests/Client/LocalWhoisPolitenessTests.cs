using HeavyJobs.Whois.Client;
using HeavyJobs.Whois.Tests.Server;
using Microsoft.Extensions.Time.Testing;

namespace HeavyJobs.Whois.Tests.Client;

public sealed class LocalWhoisPolitenessTests
{
    private const string Server = "whois.example-registry.test";

    private static readonly TimeSpan _safety = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Spaces_queries_to_one_server_at_its_rate()
    {
        var time = new FakeTimeProvider(WhoisTestSupport.Epoch);
        using var politeness = Create(time, new WhoisPolitenessLimits(RequestsPerSecond: 2, Burst: 1, MaxConcurrency: 10));

        var grants = Enumerable.Range(0, 5).Select(_ => politeness.AcquireAsync(Server, TestContext.Current.CancellationToken).AsTask()).ToArray();

        await grants[0].WaitAsync(_safety, TestContext.Current.CancellationToken);
        Assert.Equal(new WhoisPolitenessStatistics(Granted: 1, WaitingForRate: 4, InFlight: 5), politeness.GetStatistics(Server));
        for (var next = 1; next < grants.Length; next++)
        {
            time.Advance(TimeSpan.FromMilliseconds(499));
            Assert.Equal(next, politeness.GetStatistics(Server).Granted);
            time.Advance(TimeSpan.FromMilliseconds(1));
            Assert.Equal(next + 1, politeness.GetStatistics(Server).Granted);
            await grants[next].WaitAsync(_safety, TestContext.Current.CancellationToken);
        }

        Assert.All(grants, g => Assert.True(g.IsCompletedSuccessfully));
    }

    [Fact]
    public async Task Allows_a_burst_after_an_idle_period_then_falls_back_to_the_rate()
    {
        var time = new FakeTimeProvider(WhoisTestSupport.Epoch);
        using var politeness = Create(time, new WhoisPolitenessLimits(RequestsPerSecond: 1, Burst: 3, MaxConcurrency: 10));

        for (var round = 0; round < 2; round++)
        {
            var grants = Enumerable.Range(0, 4).Select(_ => politeness.AcquireAsync(Server, TestContext.Current.CancellationToken).AsTask()).ToArray();

            await Task.WhenAll(grants[..3]).WaitAsync(_safety, TestContext.Current.CancellationToken);
            Assert.Equal((round * 4) + 3, politeness.GetStatistics(Server).Granted);
            time.Advance(TimeSpan.FromSeconds(1));
            await grants[3].WaitAsync(_safety, TestContext.Current.CancellationToken);

            // Idle long enough for the bucket to refill completely.
            time.Advance(TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public async Task Caps_concurrency_even_when_the_rate_allows_more()
    {
        var time = new FakeTimeProvider(WhoisTestSupport.Epoch);
        using var politeness = Create(time, new WhoisPolitenessLimits(RequestsPerSecond: 1000, Burst: 100, MaxConcurrency: 2));

        var first = await politeness.AcquireAsync(Server, TestContext.Current.CancellationToken);
        var second = await politeness.AcquireAsync(Server, TestContext.Current.CancellationToken);
        var third = politeness.AcquireAsync(Server, TestContext.Current.CancellationToken).AsTask();

        Assert.False(third.IsCompleted);
        Assert.Equal(new WhoisPolitenessStatistics(Granted: 2, WaitingForRate: 0, InFlight: 2), politeness.GetStatistics(Server));
        await first.DisposeAsync();
        await first.DisposeAsync();
        var lease = await third.WaitAsync(_safety, TestContext.Current.CancellationToken);

        // Disposing twice released one slot only: a fourth query still waits.
        var fourth = politeness.AcquireAsync(Server, TestContext.Current.CancellationToken).AsTask();
        Assert.False(fourth.IsCompleted);
        await second.DisposeAsync();
        await (await fourth.WaitAsync(_safety, TestContext.Current.CancellationToken)).DisposeAsync();
        await lease.DisposeAsync();
    }

    [Fact]
    public async Task Servers_are_limited_independently_and_by_their_own_limits()
    {
        var time = new FakeTimeProvider(WhoisTestSupport.Epoch);
        using var politeness = new LocalWhoisPoliteness(
            new LocalWhoisPolitenessOptions
            {
                Default = new WhoisPolitenessLimits(1, 1, 5),
                PerServer = new Dictionary<string, WhoisPolitenessLimits> { ["fast.test"] = new(100, 5, 5) },
            },
            time);

        await politeness.AcquireAsync("a.test", TestContext.Current.CancellationToken);
        var secondA = politeness.AcquireAsync("A.TEST", TestContext.Current.CancellationToken).AsTask();
        await politeness.AcquireAsync("b.test", TestContext.Current.CancellationToken);
        for (var i = 0; i < 5; i++)
            await politeness.AcquireAsync("FAST.test", TestContext.Current.CancellationToken);

        Assert.False(secondA.IsCompleted);
        Assert.Equal(5, politeness.GetStatistics("fast.test").Granted);
        Assert.Equal(1, politeness.GetStatistics("a.test").WaitingForRate);
        time.Advance(TimeSpan.FromSeconds(1));
        await secondA.WaitAsync(_safety, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Cancelled_waiters_give_back_their_concurrency_slot()
    {
        var time = new FakeTimeProvider(WhoisTestSupport.Epoch);
        using var politeness = Create(time, new WhoisPolitenessLimits(RequestsPerSecond: 1000, Burst: 10, MaxConcurrency: 1));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var holder = await politeness.AcquireAsync(Server, TestContext.Current.CancellationToken);
        var waiter = politeness.AcquireAsync(Server, cts.Token).AsTask();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter);

        await holder.DisposeAsync();
        var next = await politeness.AcquireAsync(Server, TestContext.Current.CancellationToken).AsTask().WaitAsync(_safety, TestContext.Current.CancellationToken);
        await next.DisposeAsync();
    }

    [Fact]
    public async Task Never_exceeds_the_rate_over_a_long_run()
    {
        // 40 queries at 4/s with burst 2 and 3 at a time, each done as soon as it starts. Fake time moves in
        // 50 ms steps, and only once every started query has noted its start time.
        var time = new FakeTimeProvider(WhoisTestSupport.Epoch);
        using var politeness = Create(time, new WhoisPolitenessLimits(RequestsPerSecond: 4, Burst: 2, MaxConcurrency: 3));
        var startTimes = new System.Collections.Concurrent.ConcurrentQueue<TimeSpan>();
        var queries = Enumerable.Range(0, 40).Select(async _ =>
        {
            await using (await politeness.AcquireAsync(Server, TestContext.Current.CancellationToken))
                startTimes.Enqueue(time.GetUtcNow() - WhoisTestSupport.Epoch);
        }).ToList();

        while (true)
        {
            await WhoisTestSupport.WaitUntilAsync(
                () => startTimes.Count == politeness.GetStatistics(Server).Granted,
                "every started query noted its start");
            if (startTimes.Count == queries.Count)
                break;
            Assert.True(time.GetUtcNow() - WhoisTestSupport.Epoch < TimeSpan.FromMinutes(1), "the queries never all started");
            time.Advance(TimeSpan.FromMilliseconds(50));
        }

        await Task.WhenAll(queries).WaitAsync(_safety, TestContext.Current.CancellationToken);
        var times = startTimes.Order().ToArray();

        // Token bucket bound: by time t at most burst + rate × t starts; and the run is not slower than the rate.
        for (var i = 0; i < times.Length; i++)
            Assert.True(i + 1 <= 2 + (times[i].TotalSeconds * 4) + 1e-9, $"query {i + 1} started at {times[i]}");
        Assert.True(times[^1] <= TimeSpan.FromSeconds(9.5 + 1), $"the last query started only at {times[^1]}");

        // In any one-second window [t, t + 1 s), at most rate + burst - 1 starts.
        for (var first = 0; first < times.Length; first++)
            Assert.True(times.Count(t => t >= times[first] && t < times[first] + TimeSpan.FromSeconds(1)) <= 5);
    }

    [Fact]
    public async Task No_politeness_never_waits()
    {
        for (var i = 0; i < 100; i++)
            await (await NoPoliteness.Instance.AcquireAsync(Server, TestContext.Current.CancellationToken)).DisposeAsync();
    }

    [Fact]
    public void Rejects_nonsensical_limits()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Create(TimeProvider.System, new WhoisPolitenessLimits(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Create(TimeProvider.System, new WhoisPolitenessLimits(1, Burst: 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Create(TimeProvider.System, new WhoisPolitenessLimits(1, MaxConcurrency: 0)));
    }

    [Fact]
    public async Task Cancelled_rate_waiters_are_skipped_without_using_budget()
    {
        var time = new FakeTimeProvider(WhoisTestSupport.Epoch);
        using var politeness = Create(time, new WhoisPolitenessLimits(RequestsPerSecond: 1, Burst: 1, MaxConcurrency: 5));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        await politeness.AcquireAsync(Server, TestContext.Current.CancellationToken);
        var cancelled = politeness.AcquireAsync(Server, cts.Token).AsTask();
        var next = politeness.AcquireAsync(Server, TestContext.Current.CancellationToken).AsTask();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);

        time.Advance(TimeSpan.FromSeconds(1));
        await next.WaitAsync(_safety, TestContext.Current.CancellationToken);
        Assert.Equal(new WhoisPolitenessStatistics(Granted: 2, WaitingForRate: 0, InFlight: 2), politeness.GetStatistics(Server));
    }

    private static LocalWhoisPoliteness Create(TimeProvider time, WhoisPolitenessLimits limits) =>
        new(new LocalWhoisPolitenessOptions { Default = limits }, time);
}
