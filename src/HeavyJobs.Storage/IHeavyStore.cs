namespace HeavyJobs.Storage;

/// <summary>
/// The seam between HeavyJobs and its database. Methods are named entity then verb and take one parameter
/// record, so fields can be added without breaking callers. Every method that changes state takes the current
/// time as a parameter: the store never reads a clock, so the same calls give the same rows under test.
/// It is the sum of role-shaped facets, and each role is handed only its own: <see cref="IWorkerStore"/>,
/// <see cref="IMonitorStore"/>, <see cref="IOperatorStore"/>, <see cref="IDashboardStore"/> (reads),
/// <see cref="IMaintenanceStore"/> (the manager's duties) and <see cref="IRollupStore"/>. Both implementations pass one conformance suite (tests/HeavyJobs.Storage.Conformance).
/// </summary>
public interface IHeavyStore : IMonitorStore, IOperatorStore, IMaintenanceStore, IAsyncDisposable
{
    /// <summary>"sqlite" or "postgres".</summary>
    string Kind { get; }

    /// <summary>Brings the schema to the latest version; safe to run from several processes at once.</summary>
    Task<MigrationResult> MigrateAsync(CancellationToken cancellationToken);
}
