using System.Runtime.ExceptionServices;

namespace HeavyJobs.Runtime.Worker;

/// <summary>
/// How a run ends without finishing: what a handler did after its last checkpoint has no cursor that covers
/// it, so it is never committed. Committing it under an older cursor would have the resumed run do it, and
/// write its outputs and counters, a second time.
/// </summary>
internal sealed partial class ChunkContext
{
    private volatile bool _yielded;
    private volatile Exception? _failedWrite;

    /// <summary>A checkpoint was told that the chunk's job is paused: a handler that returns after that has stopped.</summary>
    public bool Yielded => _yielded;

    private bool WriteFailed => _failedWrite is not null;

    /// <summary>
    /// The handler returned after it was told to stop (its token, or a paused job): its last checkpoint is
    /// where it is. What it added, output, emitted or marked fresh since is dropped; the checkpoints it took
    /// (held or in flight) are written, in order, and what they met is thrown.
    /// </summary>
    public async ValueTask StopAsync()
    {
        lock (_writes)
        {
            StopHoldingLocked();
        }

        _pending = Core.Model.ChunkCounters.Zero;
        _outputs = null;
        _emitted = null;
        _fresh = null;
        await DrainAsync();
    }

    private void NoteYield() => _yielded = true;

    /// <summary>
    /// A write that failed (lost lease, store error, hard stop) took the cursor and the outputs with it, and
    /// later checkpoints carry counters that include its items: a run whose handler caught the error and went
    /// on would commit a cursor past outputs that were never written. So nothing more of this run is written.
    /// </summary>
    private void NoteFailedWrite(Exception ex) => _failedWrite ??= ex;

    private void ThrowIfAWriteFailed()
    {
        if (_failedWrite is { } failed)
        {
            ExceptionDispatchInfo.Throw(failed);
        }
    }
}
