using System.Text.Json;
using HeavyJobs.Core.Model;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Core.Handlers;

/// <summary>What a handler sees of the chunk it runs.</summary>
public interface IChunkContext
{
    long JobId { get; }

    long ChunkId { get; }

    /// <summary>The stage of the job this chunk belongs to (0 for a single-stage job).</summary>
    int Stage { get; }

    /// <summary>The handler type key, as registered.</summary>
    string Type { get; }

    /// <summary>The chunk's input (a key range, a list of keys, a file slice: whatever the job's splitter made).</summary>
    JsonElement Input { get; }

    /// <summary>The job's parameters.</summary>
    JsonElement Parameters { get; }

    /// <summary>Where the last checkpoint left off, or null when the chunk starts from the beginning.</summary>
    string? Cursor { get; }

    /// <summary>The counters as committed by the last checkpoint plus whatever was added since.</summary>
    ChunkCounters Counters { get; }

    /// <summary>How many earlier attempts failed or died.</summary>
    int Attempts { get; }

    ILogger Logger { get; }

    /// <summary>Counts processed items; committed by the next checkpoint.</summary>
    void Add(long done, long good = 0, long bad = 0);

    /// <summary>Buffers an output record; committed by the next checkpoint, in the same transaction.</summary>
    void Output(string key, string data);

    /// <summary>Buffers a chunk for a later stage; created by the next checkpoint, in the same transaction.</summary>
    void Emit(EmittedChunk chunk);

    /// <summary>
    /// Commits the cursor, the counters, the buffered outputs and emitted chunks in one transaction, fenced by
    /// the lease: if this worker no longer holds the chunk, nothing is written and
    /// <see cref="LeaseLostException"/> is thrown, which the handler should let through. It returns once
    /// committed, unless it comes within the worker's write-behind window (50 ms by default) of the previous
    /// one: then it returns at once and is written behind the handler, with the quick checkpoints that follow
    /// it, within that window of the last write; what a write met is thrown at a later checkpoint.
    /// </summary>
    ValueTask CheckpointAsync(string? cursor, CancellationToken cancellationToken);

    /// <summary>
    /// Reads committed outputs of this job: of one chunk (a parser reading what its fetch chunk fetched) or of a
    /// whole stage (an aggregator), in id order from <paramref name="afterId"/>.
    /// </summary>
    ValueTask<IReadOnlyList<StoredOutput>> ReadOutputsAsync(OutputQuery query, long afterId, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Waits for a turn at an external resource (a WHOIS server, an API) under a limit that holds across every
    /// worker of the fleet, not per process. Dispose the result when the request is done.
    /// </summary>
    ValueTask<IAsyncDisposable> LimitAsync(string resource, ResourceLimit limit, CancellationToken cancellationToken);

    /// <summary>
    /// Tells the whole fleet that a resource pushed back (an answer saying its limit is exceeded): no worker
    /// starts a request to it for <paramref name="pause"/>, and for a while after that every worker spaces its
    /// starts further apart (twice as far, doubling again if the resource keeps pushing back).
    /// </summary>
    ValueTask BackOffAsync(string resource, TimeSpan pause, CancellationToken cancellationToken);

    /// <summary>
    /// Records that a key of the job's key set has been refreshed, with its latest record if given (what an
    /// incremental aggregate counts for keys a later refresh does not touch); committed by the next checkpoint,
    /// in the same transaction as the outputs. Only a job split by <c>staleKeys</c> has a key set; elsewhere
    /// this does nothing.
    /// </summary>
    void MarkFresh(string key, string? latest = null);

    /// <summary>
    /// Records that this job tried a key of its key set and got nothing fresh (an answer it could not read): the
    /// key keeps its last refresh and latest record, so the next refresh takes it again, but, like a key marked
    /// fresh, it is this job's now and <see cref="ReadKeysNotMarkedAsync"/> leaves it out. Committed by the next
    /// checkpoint; does nothing where the job has no key set.
    /// </summary>
    void MarkAttempted(string key);

    /// <summary>
    /// Reads the job's key set in key order after <paramref name="afterKey"/>: every key with its last refresh
    /// and latest record, whichever job refreshed it. Empty when the job has no key set.
    /// </summary>
    ValueTask<IReadOnlyList<KeyState>> ReadKeySetAsync(string? afterKey, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Like <see cref="ReadKeySetAsync"/>, but only the keys no committed checkpoint of this job marked (fresh or
    /// attempted): what a job that refreshed part of a set reads to carry the rest over, without reading back,
    /// or holding in memory, the keys it did itself. A page may cover many more keys of the set than it returns.
    /// </summary>
    ValueTask<IReadOnlyList<KeyState>> ReadKeysNotMarkedAsync(string? afterKey, int limit, CancellationToken cancellationToken);
}

/// <summary>A key of a key set: when it was last refreshed and the record that refresh left.</summary>
public sealed record KeyState(string Key, DateTimeOffset? RefreshedAt, string? Latest);

/// <summary>Which outputs to read: one chunk's, or one stage's; with <paramref name="Keys"/>, only the outputs with those keys.</summary>
/// <param name="Keys">
/// Only these keys (null: every key). A reader that wants a few of a big chunk's outputs names them, so the store
/// reads those from its index instead of sending every output of the chunk. A store of an earlier release ignores
/// the filter, so a reader still checks the keys it gets.
/// </param>
public sealed record OutputQuery(long? ChunkId = null, int? Stage = null, IReadOnlyList<string>? Keys = null);

public sealed record StoredOutput(long Id, long ChunkId, int Stage, string Key, string Data);

/// <param name="RequestsPerSecond">Starts are spaced by 1/this across the fleet.</param>
/// <param name="Concurrency">At most this many requests in flight across the fleet.</param>
/// <param name="MaxRequestTime">A slot whose holder died frees itself after this long.</param>
public sealed record ResourceLimit(double RequestsPerSecond, int Concurrency, TimeSpan MaxRequestTime);
