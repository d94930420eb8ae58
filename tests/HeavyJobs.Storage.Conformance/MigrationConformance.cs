namespace HeavyJobs.Storage.Conformance;

public abstract class MigrationConformance(IStoreProvider provider) : ConformanceBase(provider)
{
    [Fact]
    public async Task MigrateAsync_RunAgain_AppliesNothing()
    {
        var again = await Store.MigrateAsync(Ct);

        Assert.Empty(again.Applied);
        Assert.Equal(again.FromVersion, again.ToVersion);
        Assert.True(again.ToVersion >= 1);
    }

    [Fact]
    public async Task MigrateAsync_ManyProcessesAtOnce_AllSucceedAndSchemaIsWhole()
    {
        var others = Enumerable.Range(0, 6).Select(_ => Provider.OpenAnother(Store)).ToList();
        try
        {
            var results = await Task.WhenAll(others.Select(s => s.MigrateAsync(Ct)));

            Assert.All(results, r => Assert.Empty(r.Applied));
            var inserted = await InsertJobAsync(3, store: others[0]);
            Assert.Equal(3, inserted.ChunkCount);
        }
        finally
        {
            foreach (var other in others)
            {
                await other.DisposeAsync();
            }
        }
    }
}
