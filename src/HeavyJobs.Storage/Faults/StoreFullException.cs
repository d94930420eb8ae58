namespace HeavyJobs.Storage.Faults;

/// <summary>The database refused a write because its disk (or quota) is full. The transaction wrote nothing.</summary>
public sealed class StoreFullException(string store, Exception inner)
    : Exception($"The {store} database is full (no space left for a write): the transaction was rolled back and wrote nothing. Free disk space and the work carries on where it stood. ({inner.Message})", inner);
