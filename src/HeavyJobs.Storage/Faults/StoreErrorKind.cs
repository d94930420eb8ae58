namespace HeavyJobs.Storage.Faults;

/// <summary>What a database error means for the transaction that met it.</summary>
public enum StoreErrorKind
{
    /// <summary>Anything else: a bug, a constraint, a bad statement. Reaches the caller at once.</summary>
    Permanent,

    /// <summary>The transaction was rolled back for a passing reason (deadlock, serialization, busy, timeout, lost connection): run it again.</summary>
    Transient,

    /// <summary>The disk or the database is full: nothing was written, and retrying will not help until someone frees space.</summary>
    Full,
}
