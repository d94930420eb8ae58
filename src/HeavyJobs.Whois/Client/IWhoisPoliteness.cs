namespace HeavyJobs.Whois.Client;

/// <summary>
/// Gatekeeper the client awaits before every query to a server: it enforces the per-server query rate and
/// concurrency cap. The returned lease is disposed when the query is over (answer read or failed), which frees
/// the concurrency slot; the rate budget it consumed is not given back.
/// </summary>
public interface IWhoisPoliteness
{
    /// <summary>Waits until a query to <paramref name="serverName"/> may start.</summary>
    ValueTask<IAsyncDisposable> AcquireAsync(string serverName, CancellationToken cancellationToken);

    /// <summary>
    /// Told when <paramref name="serverName"/> answered that the limit is exceeded, before the client throws
    /// <see cref="WhoisRateLimitedException"/>: a politeness shared by many clients slows all of them down.
    /// </summary>
    ValueTask PushedBackAsync(string serverName, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
