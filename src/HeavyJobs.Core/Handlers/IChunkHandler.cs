namespace HeavyJobs.Core.Handlers;

/// <summary>
/// Runs one chunk. Read <see cref="IChunkContext.Input"/> and <see cref="IChunkContext.Cursor"/>, do the work
/// from the cursor on, and call <see cref="IChunkContext.CheckpointAsync"/> every so often: what is
/// checkpointed is never redone, what is not may be. Returning completes the chunk; throwing fails this
/// attempt. When the cancellation token fires (stop, pause), checkpoint if you can and return
/// or throw <see cref="OperationCanceledException"/>: the chunk goes back to the pool at its last checkpoint.
/// </summary>
public interface IChunkHandler
{
    ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken);
}
