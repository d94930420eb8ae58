namespace HeavyJobs.Storage.Conformance.Faults;

/// <summary>The storage faults injected on purpose, each raised as the store's own database driver would raise it.</summary>
public enum InjectedFault
{
    SerializationFailure,
    Deadlock,
    Timeout,
    Busy,
    ConnectionLost,
    DiskFull,
}
