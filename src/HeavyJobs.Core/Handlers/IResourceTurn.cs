namespace HeavyJobs.Core.Handlers;

/// <summary>
/// What <see cref="IChunkContext.LimitAsync"/> may return: the turn, released when disposed, and whether it had to
/// queue for it, which a handler that keeps many requests in flight reads to decide how many to keep.
/// </summary>
public interface IResourceTurn : IAsyncDisposable
{
    /// <summary>
    /// True when the request waited behind others: every concurrency slot of the resource was busy, or its rate
    /// put the start further off than the resource's concurrency in spacings. More requests would only wait longer.
    /// </summary>
    bool Queued { get; }
}
