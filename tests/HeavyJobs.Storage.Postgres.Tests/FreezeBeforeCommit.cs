using HeavyJobs.Storage.Faults;

namespace HeavyJobs.Storage.Postgres.Tests;

/// <summary>Stops the next write before its commit, as a frozen process would, until thawed.</summary>
internal sealed class FreezeBeforeCommit : IStoreFaults
{
    private readonly ManualResetEventSlim _thawed = new(false);
    private readonly TaskCompletionSource _frozen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _armed;

    public Task Frozen => _frozen.Task;

    public void Arm() => Interlocked.Exchange(ref _armed, 1);

    public void Thaw() => _thawed.Set();

    public void Strike(StoreFaultPoint point, bool write)
    {
        if (point == StoreFaultPoint.BeforeCommit && write && Interlocked.Exchange(ref _armed, 0) == 1)
        {
            _frozen.TrySetResult();
            _thawed.Wait();
        }
    }
}
