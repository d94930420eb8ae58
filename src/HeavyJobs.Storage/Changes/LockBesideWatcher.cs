using HeavyJobs.Storage.Fleet;

namespace HeavyJobs.Storage.Changes;

/// <summary>A lock and a watcher that need no shared session (SQLite: a file lock and the file's change counter).</summary>
internal sealed class LockBesideWatcher(IStoreLock held, IChangeWatcher watcher) : ILockingChangeWatcher
{
    public string LockName => held.Name;

    public bool Held => true;

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => watcher.WaitAsync(timeout, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await watcher.DisposeAsync();
        await held.DisposeAsync();
    }
}
