using HeavyJobs.Storage.Actions;

namespace HeavyJobs.Storage.Chunks;

/// <summary>How a hold of a chunk ended: the words the history, the API and the pages show.</summary>
public static class HoldEndings
{
    /// <summary>Still held: the hold the chunk is in now.</summary>
    public const string Holding = "holding";

    public const string Done = "done";

    /// <summary>The holder gave the chunk back with its checkpoint (a stop, a drain, a pause, a claim ahead not run).</summary>
    public const string Released = "released";

    /// <summary>The attempt failed; the chunk waits for its retry or is failed for good.</summary>
    public const string Failed = "failed";

    /// <summary>The holder's process ended without giving the chunk back (killed, crashed, hung and killed).</summary>
    public const string Died = "died";

    /// <summary>The fleet gave up on the holder: its lease expired or its machine was declared dead.</summary>
    public const string Lost = "lost";

    /// <summary>An operator reset or rewound the chunk while it was held.</summary>
    public const string Reset = "reset";

    public const string Cancelled = "cancelled";
}

/// <summary>
/// One holder of a chunk: the worker (and its machine), the cursor it started from and the one it left, its start
/// and end, and how it ended (<see cref="HoldEndings"/>).
/// </summary>
public sealed record ChunkHold(
    long WorkerId,
    string? Node,
    string? FromCursor,
    string? ToCursor,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    string Ended,
    string? Reason);

/// <summary>A kept checkpoint: its number (the chunk's n-th checkpoint), the cursor and counters it committed, and when.</summary>
public sealed record KeptCheckpoint(long Number, string? Cursor, Core.Model.ChunkCounters Counters, long? WorkerId, DateTimeOffset At);

/// <summary>A chunk's holders, oldest first, and its kept checkpoints, newest first.</summary>
public sealed record ChunkHistory(long ChunkId, long JobId, IReadOnlyList<ChunkHold> Holds, IReadOnlyList<KeptCheckpoint> Checkpoints)
{
    private const string CursorPrefix = "cursor=";

    /// <summary>
    /// The kept checkpoint an operator named: its number (N or #N; 0 is the start) or its cursor (cursor=VALUE, or
    /// VALUE when it is no number). Null when none is kept by that name.
    /// </summary>
    public long? Resolve(string to)
    {
        if (!to.StartsWith(CursorPrefix, StringComparison.Ordinal)
            && long.TryParse(to.TrimStart('#'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return number == 0 || Checkpoints.Any(c => c.Number == number) ? number : null;
        }

        var cursor = to.StartsWith(CursorPrefix, StringComparison.Ordinal) ? to[CursorPrefix.Length..] : to;
        return Checkpoints.FirstOrDefault(c => c.Cursor == cursor)?.Number;
    }
}

/// <summary>
/// An operator's rewind to a kept checkpoint: the chunk takes that checkpoint's cursor and counters, the outputs
/// written after it are deleted, and its holder (if any) is fenced off, all in one transaction. Checkpoint 0 is
/// the start (as a reset to zero).
/// </summary>
/// <param name="Log">
/// The action that explains the rewind, logged in its transaction with the chunk's job if it happened, its reason
/// followed by what the rewind did (<see cref="ChunkRewound.Describe"/>).
/// </param>
public sealed record ChunkRewindParams(long ChunkId, long Checkpoint, string Actor, DateTimeOffset Now, ActionInsertParams? Log = null);

/// <param name="Cursor">The cursor the chunk runs again from.</param>
/// <param name="OutputsRemoved">Outputs deleted: those written after the checkpoint.</param>
public sealed record ChunkRewound(long JobId, long Checkpoint, string? Cursor, long OutputsRemoved)
{
    /// <summary>What the rewind did, in the words of the action log and the operator's answer.</summary>
    public string Describe() => $"to checkpoint {Checkpoint} (cursor {Cursor ?? "(start)"}); {OutputsRemoved} output(s) written after it removed";
}
