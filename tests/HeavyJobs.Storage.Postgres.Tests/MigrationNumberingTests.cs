using HeavyJobs.Storage.Postgres;
using HeavyJobs.Storage.Sqlite;

namespace HeavyJobs.Storage.Postgres.Tests;

/// <summary>Both dialects number their migrations alike: version N is the same change (or its no-op) on each.</summary>
public sealed class MigrationNumberingTests
{
    [Fact]
    public void EveryMigration_HasTheSameNumberAndName_OnBothStores()
    {
        Assert.Equal(Names(typeof(SqliteStore)), Names(typeof(PostgresStore)));
    }

    [Fact]
    public async Task ADatabaseMigratedUnderTheOldNumbering_MigratesAgain_WithoutError()
    {
        var ct = TestContext.Current.CancellationToken;
        var provider = new PostgresStoreProvider();
        await using var store = (PostgresStore)await provider.CreateAsync(ct);
        await store.MigrateAsync(ct);
        // What a database migrated before the alignment has: version 8 was pushed_back_at, and no version 9.
        await using (var command = store.DataSource.CreateCommand("DELETE FROM hj_migrations WHERE version = 9; UPDATE hj_migrations SET name = '0008_pushed_back_at' WHERE version = 8"))
        {
            await command.ExecuteNonQueryAsync(ct);
        }

        var result = await store.MigrateAsync(ct);

        Assert.Equal(["0009_pushed_back_at"], result.Applied);
        await provider.DropAsync(store, ct);
    }

    private static List<string> Names(Type store) =>
        [.. store.Assembly.GetManifestResourceNames()
            .Where(n => n.Contains(".Migrations.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => n[(n.IndexOf(".Migrations.", StringComparison.Ordinal) + ".Migrations.".Length)..^4])
            .Order(StringComparer.Ordinal)];
}
