namespace HeavyJobs.Storage.Faults;

/// <summary>Where in a store call an injected fault strikes.</summary>
public enum StoreFaultPoint
{
    /// <summary>A connection was just opened, before any statement (a refused or lost connection, a busy database).</summary>
    Opened,

    /// <summary>Every statement of a write transaction ran, before its commit (a deadlock, a serialization failure, a full disk): it is rolled back.</summary>
    BeforeCommit,

    /// <summary>
    /// The commit landed, but its answer never came back (the connection broke on the way): the caller cannot know
    /// it landed. Only a database across a network can do this; a SQLite commit's outcome is always known.
    /// </summary>
    AfterCommit,
}
