namespace HeavyJobs.Storage;

/// <summary>
/// The store's migration history holds versions this build does not know: a newer HeavyJobs migrated it. The
/// process refuses to start rather than run old code on a schema it does not understand (docs/operations.md,
/// "Schema changes during a deploy").
/// </summary>
public sealed class SchemaTooNewException(int storeVersion, string storeMigration, int buildVersion, string buildMigration)
    : InvalidOperationException(
        $"the store's schema is at version {storeVersion} ({storeMigration}), newer than this build of HeavyJobs understands "
        + $"(up to version {buildVersion}, {buildMigration}): upgrade heavyjobs on this machine before starting it")
{
    /// <summary>The highest schema version in the store that this build does not know.</summary>
    public int StoreVersion { get; } = storeVersion;

    /// <summary>The highest schema version this build knows.</summary>
    public int BuildVersion { get; } = buildVersion;
}
