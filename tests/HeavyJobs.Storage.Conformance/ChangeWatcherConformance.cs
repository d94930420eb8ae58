namespace HeavyJobs.Storage.Conformance;

public abstract class ChangeWatcherConformance(IStoreProvider provider) : ConformanceBase(provider)
{
    [Fact]
    public async Task WaitAsync_WakesWhenAnotherConnectionSubmitsWork()
    {
        await using var watcher = Store.CreateChangeWatcher();
        // The first call arms the watcher; nothing has happened yet.
        Assert.False(await watcher.WaitAsync(TimeSpan.FromMilliseconds(50), Ct));
        await using var other = Provider.OpenAnother(Store);

        var waiting = watcher.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await InsertJobAsync(1, store: other);

        Assert.True(await waiting);
    }

    [Fact]
    public async Task WaitAsync_NothingHappens_TimesOutFalse()
    {
        await using var watcher = Store.CreateChangeWatcher();
        Assert.False(await watcher.WaitAsync(TimeSpan.FromMilliseconds(20), Ct));

        Assert.False(await watcher.WaitAsync(TimeSpan.FromMilliseconds(100), Ct));
    }
}
