namespace HeavyJobs.Storage.Changes;

/// <summary>Wakes idle processes when work may have appeared, instead of each of them polling.</summary>
public interface IChangeWatcher : IAsyncDisposable
{
    /// <summary>
    /// Waits until the store may have changed since the previous call, or until <paramref name="timeout"/> passes.
    /// Returns true when woken by a change. Spurious wake-ups are allowed; missed ones are not.
    /// </summary>
    Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken);
}
