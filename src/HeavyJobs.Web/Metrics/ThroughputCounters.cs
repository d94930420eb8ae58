using HeavyJobs.Storage.Throughput;

namespace HeavyJobs.Web.Metrics;

/// <summary>
/// Turns the store's per-minute buckets, which grow while their minute lasts, into increments for monotonic
/// counters: each refresh adds what every recent bucket gained since it was last seen. Counters start at zero
/// when the process starts (Prometheus' rate() handles that), so history before then is only a baseline.
/// </summary>
internal sealed class ThroughputCounters
{
    /// <summary>How far back buckets are re-read: a monitor writes only to the current minute, a late one to the previous.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    private readonly Dictionary<(long Bucket, long Worker, string Type, int Stage), (long Items, long Good, long Bad)> _seen = [];
    private bool _baselined;

    /// <summary>The increments per type since the previous call.</summary>
    public IReadOnlyDictionary<string, (long Items, long Good, long Bad)> Advance(IReadOnlyList<ThroughputRow> rows, DateTimeOffset now)
    {
        var increments = new Dictionary<string, (long Items, long Good, long Bad)>(StringComparer.Ordinal);
        foreach (var r in rows)
        {
            var key = (Storage.StoreTime.ToMs(r.Bucket), r.WorkerId, r.Type, r.Stage);
            var before = _seen.TryGetValue(key, out var seen) ? seen : _baselined ? (0L, 0L, 0L) : (r.Items, r.Good, r.Bad);
            _seen[key] = (r.Items, r.Good, r.Bad);
            var sum = increments.TryGetValue(r.Type, out var s) ? s : default;
            increments[r.Type] = (
                sum.Items + Math.Max(0, r.Items - before.Item1),
                sum.Good + Math.Max(0, r.Good - before.Item2),
                sum.Bad + Math.Max(0, r.Bad - before.Item3));
        }

        _baselined = true;
        var oldest = Storage.StoreTime.ToMs(now - Window - TimeSpan.FromMinutes(1));
        foreach (var key in _seen.Keys.Where(k => k.Bucket < oldest).ToList())
        {
            _seen.Remove(key);
        }

        return increments;
    }
}
