using System.Diagnostics;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Chunks;

namespace HeavyJobs.TestSupport.Chaos;

/// <summary>How long after a fault the chunks its victim held were running again elsewhere (or done).</summary>
public sealed record Recovery(int Fault, FaultKind Kind, int Chunks, TimeSpan? After);

/// <summary>
/// Watches the chunks each fault's victim held: a chunk has recovered once it runs under another lease owner or is
/// done. A fault's recovery time is its slowest chunk's. Fed by the run's regular look at the chunks.
/// </summary>
internal sealed class RecoveryClock
{
    private readonly List<Tracked> _open = [];
    private readonly List<Recovery> _done = [];

    public IReadOnlyList<Recovery> Results => [.. _done, .. _open.Select(t => new Recovery(t.Fault, t.Kind, t.Chunks.Count, null))];

    public void Track(int fault, FaultKind kind, IEnumerable<ChunkRow> held, long startTs)
    {
        var chunks = held.Where(c => c.LeaseOwner is not null).ToDictionary(c => c.Id, c => c.LeaseOwner!.Value);
        if (chunks.Count == 0)
        {
            _done.Add(new Recovery(fault, kind, 0, null));
            return;
        }

        _open.Add(new Tracked(fault, kind, chunks, startTs));
    }

    /// <summary>Marks chunks now running elsewhere or done; a database restart is timed through <see cref="Add"/>.</summary>
    public void Observe(IEnumerable<ChunkRow> chunks)
    {
        var now = Stopwatch.GetTimestamp();
        var byId = chunks.ToDictionary(c => c.Id);
        foreach (var t in _open.ToList())
        {
            foreach (var (id, owner) in t.Chunks.ToList())
            {
                if (byId.TryGetValue(id, out var c) && (c.State == ChunkState.Done || (c.State == ChunkState.Running && c.LeaseOwner is { } o && o != owner)))
                {
                    t.Chunks.Remove(id);
                    t.Slowest = Stopwatch.GetElapsedTime(t.StartTs, now);
                    t.Count++;
                }
            }

            if (t.Chunks.Count == 0)
            {
                _open.Remove(t);
                _done.Add(new Recovery(t.Fault, t.Kind, t.Count, t.Slowest));
            }
        }
    }

    public void Add(Recovery recovery) => _done.Add(recovery);

    private sealed class Tracked(int fault, FaultKind kind, Dictionary<long, long> chunks, long startTs)
    {
        public int Fault { get; } = fault;

        public FaultKind Kind { get; } = kind;

        public Dictionary<long, long> Chunks { get; } = chunks;

        public long StartTs { get; } = startTs;

        public TimeSpan Slowest { get; set; }

        public int Count { get; set; }
    }
}
