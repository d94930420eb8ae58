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

    [Fact]
    public async Task MigrateAsync_SchemaNewerThanThisBuild_RefusesNamingBothVersions()
    {
        var known = (await Store.MigrateAsync(Ct)).ToVersion;
        // What a newer build leaves behind: a version this one has no file for.
        await Provider.ExecuteSqlAsync(Store, "INSERT INTO hj_migrations (version, name, applied_at) VALUES (9001, '9001_from_a_newer_build', 0)", Ct);

        await using var older = Provider.OpenAnother(Store);
        var refused = await Assert.ThrowsAsync<SchemaTooNewException>(() => older.MigrateAsync(Ct));

        Assert.Equal(9001, refused.StoreVersion);
        Assert.Equal(known, refused.BuildVersion);
        Assert.Contains("version 9001 (9001_from_a_newer_build)", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"up to version {known}", refused.Message, StringComparison.Ordinal);
    }
}
