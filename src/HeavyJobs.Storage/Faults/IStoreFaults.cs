namespace HeavyJobs.Storage.Faults;

/// <summary>
/// Injects faults into a store's calls on purpose, for tests: it sits below the store's retry, so what it throws
/// meets the same handling as an error the database raised. Production stores have none.
/// </summary>
public interface IStoreFaults
{
    /// <summary>Throws the fault to inject at <paramref name="point"/>, if any. <paramref name="write"/> says whether the call writes.</summary>
    void Strike(StoreFaultPoint point, bool write);
}
