namespace HeavyJobs.Whois.Pipeline;

/// <summary>
/// Counters over a set of domains where each domain counts once, by the last record set for it. A domain keeps
/// only a reference to its set of counter ids, and equal sets are shared (most domains of a registrar, month and
/// provider add the same counters), so a million domains cost their names and little more, not their records.
/// </summary>
internal sealed class DomainTally
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly List<string> _names = [];
    private readonly List<long> _counts = [];
    private readonly Dictionary<string, int[]> _byDomain = new(StringComparer.Ordinal);
    private readonly Dictionary<int[], int[]> _sets = new(SetComparer.Instance);

    public int Domains => _byDomain.Count;

    public bool Contains(string domain) => _byDomain.ContainsKey(domain);

    /// <summary>Counts <paramref name="counters"/> for <paramref name="domain"/>, replacing what an earlier record of it added.</summary>
    public void Set(string domain, IEnumerable<string> counters)
    {
        var ids = counters.Select(Id).ToArray();
        Array.Sort(ids);
        if (!_sets.TryGetValue(ids, out var set))
        {
            set = ids;
            _sets.Add(set, set);
        }

        if (_byDomain.TryGetValue(domain, out var previous))
        {
            foreach (var id in previous)
            {
                _counts[id]--;
            }
        }

        foreach (var id in set)
        {
            _counts[id]++;
        }

        _byDomain[domain] = set;
    }

    /// <summary>Every counter some domain still adds to, with its count.</summary>
    public IEnumerable<KeyValuePair<string, long>> Counts()
    {
        for (var i = 0; i < _names.Count; i++)
        {
            if (_counts[i] > 0)
            {
                yield return new(_names[i], _counts[i]);
            }
        }
    }

    private int Id(string counter)
    {
        if (!_ids.TryGetValue(counter, out var id))
        {
            id = _names.Count;
            _ids.Add(counter, id);
            _names.Add(counter);
            _counts.Add(0);
        }

        return id;
    }

    private sealed class SetComparer : IEqualityComparer<int[]>
    {
        public static readonly SetComparer Instance = new();

        public bool Equals(int[]? x, int[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(int[] set)
        {
            var hash = new HashCode();
            foreach (var id in set)
            {
                hash.Add(id);
            }

            return hash.ToHashCode();
        }
    }
}
