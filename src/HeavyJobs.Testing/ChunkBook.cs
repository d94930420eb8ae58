using HeavyJobs.Core.Handlers;
using HeavyJobs.Core.Model;

namespace HeavyJobs.Testing;

/// <summary>
/// What the store holds for one chunk and its job, shared by every run of the chunk: the committed cursor and
/// counters, the job's outputs (seeded and committed) with their ids, the chunks emitted, the key set, the
/// commits, and the log. All access is under <see cref="Gate"/>.
/// </summary>
internal sealed class ChunkBook
{
    private readonly List<StoredOutput> _outputs = [];
    private readonly HashSet<string> _emittedKeys = new(StringComparer.Ordinal);
    private long _nextOutputId = 1;

    public Lock Gate { get; } = new();

    public string? Cursor { get; set; }

    public ChunkCounters Counters { get; set; }

    public bool Completed { get; set; }

    public List<ChunkOutput> Committed { get; } = [];

    public List<EmittedChunk> Emitted { get; } = [];

    public List<TestCheckpoint> Commits { get; } = [];

    public int Checkpoints { get; private set; }

    public SortedDictionary<string, KeyState> Keys { get; } = new(StringComparer.Ordinal);

    /// <summary>The keys of <see cref="Keys"/> that a committed checkpoint of this job marked (fresh or attempted).</summary>
    public HashSet<string> Marked { get; } = new(StringComparer.Ordinal);

    public List<TestLogEntry> Log { get; } = [];

    public List<(string Resource, TimeSpan Pause)> BackOffs { get; } = [];

    public List<string> Limits { get; } = [];

    public StoredOutput Seed(long chunkId, int stage, string key, string data)
    {
        lock (Gate)
        {
            var stored = new StoredOutput(_nextOutputId++, chunkId, stage, key, data);
            _outputs.Add(stored);
            return stored;
        }
    }

    /// <summary>Commits one checkpoint's work. Called under <see cref="Gate"/>.</summary>
    public void Commit(TestCheckpoint commit, long chunkId, int stage)
    {
        Cursor = commit.Cursor;
        Counters = commit.Counters;
        Commits.Add(commit);
        if (commit.Kind == TestCommitKind.Checkpoint)
        {
            Checkpoints++;
        }

        foreach (var output in commit.Outputs)
        {
            Committed.Add(output);
            _outputs.Add(new StoredOutput(_nextOutputId++, chunkId, stage, output.Key, output.Data));
        }

        // As the store does: an emitted chunk whose dedupe key the job already has creates nothing.
        Emitted.AddRange(commit.Emitted.Where(e => _emittedKeys.Add(e.DedupeKey)));
        foreach (var fresh in commit.Fresh)
        {
            // As the store does: only keys of the set are marked, a mark without a record keeps the last one, and
            // an attempt keeps the key's refresh and record.
            if (Keys.TryGetValue(fresh.Key, out var key))
            {
                Marked.Add(fresh.Key);
                if (fresh.Refreshed)
                {
                    Keys[fresh.Key] = new KeyState(fresh.Key, commit.At, fresh.Latest ?? key.Latest);
                }
            }
        }
    }

    public List<StoredOutput> ReadOutputs(OutputQuery query, long afterId, int limit)
    {
        lock (Gate)
        {
            return _outputs
                .Where(o => o.Id > afterId && (query.ChunkId is not { } c || o.ChunkId == c) && (query.Stage is not { } s || o.Stage == s) && (query.Keys is not { } k || k.Contains(o.Key)))
                .Take(Math.Clamp(limit, 1, 10_000))
                .ToList();
        }
    }

    public List<KeyState> ReadKeys(string? afterKey, int limit, bool notMarkedOnly)
    {
        lock (Gate)
        {
            return Keys.Values
                .Where(k => (afterKey is null || string.CompareOrdinal(k.Key, afterKey) > 0) && !(notMarkedOnly && Marked.Contains(k.Key)))
                .Take(Math.Clamp(limit, 1, 10_000))
                .ToList();
        }
    }
}
