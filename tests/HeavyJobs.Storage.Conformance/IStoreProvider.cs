namespace HeavyJobs.Storage.Conformance;

/// <summary>Makes a fresh, isolated store per test (its own file or schema), so tests run in parallel.</summary>
public interface IStoreProvider
{
    Task<IHeavyStore> CreateAsync(CancellationToken cancellationToken);

    /// <summary>A second store object on the same database, as another process would have.</summary>
    IHeavyStore OpenAnother(IHeavyStore store);

    Task DropAsync(IHeavyStore store, CancellationToken cancellationToken);

    /// <summary>Runs raw SQL on the store's database, for a state only another build could have left (a newer schema).</summary>
    Task ExecuteSqlAsync(IHeavyStore store, string sql, CancellationToken cancellationToken);
}
