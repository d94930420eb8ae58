namespace HeavyJobs.Core.Handlers;

/// <summary>
/// The worker no longer holds the chunk (it was reset, cancelled or reclaimed); the checkpoint wrote nothing.
/// Derives from <see cref="OperationCanceledException"/> so handlers that let cancellation through need nothing else.
/// </summary>
public sealed class LeaseLostException : OperationCanceledException
{
    public LeaseLostException(long chunkId)
        : base($"Chunk {chunkId} is no longer held by this worker; its checkpoint was not written.") => ChunkId = chunkId;

    public LeaseLostException()
    {
    }

    public LeaseLostException(string message)
        : base(message)
    {
    }

    public LeaseLostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public long ChunkId { get; }
}
