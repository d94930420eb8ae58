namespace HeavyJobs.Storage.Faults;

/// <summary>Where in a store call an injected fault strikes.</summary>
public enum StoreFaultPoint
{
    /// <summary>A connection was just opened, before any statement (a refused or lost connection, a busy database).</summary>
    Opened,

    /// <summary>Every statement of a write transaction ran, before its commit (a deadlock, a serialization failure, a full disk): it is rolled back.</summary>
    BeforeCommit,
}
