namespace HeavyJobs.Whois.Pipeline;

/// <summary>
/// Counts by key in bounded memory: once <see cref="SpillAt"/> distinct keys are held, they go to disk as a run
/// sorted by key, and <see cref="Merged"/> reads every run and what is still held back together in key order,
/// each key once with its total (an external group-by). The aggregator's counts grow with the distinct values it
/// meets (a name-server provider each: 171,000 at a million domains), not only with the refresh's size.
/// </summary>
/// <remarks>
/// Each run file is unlinked as soon as it is created and read through the handle kept open, so a worker killed
/// mid-aggregate leaves nothing on disk. More than <see cref="MaxRuns"/> runs are merged into one first, so the
/// open files stay few however large the refresh.
/// </remarks>
/// <param name="spillAt">Distinct keys held in memory before they go to a run.</param>
/// <param name="directory">Where runs are made (the system's temporary directory when null).</param>
internal sealed class CounterRuns(int spillAt, string? directory = null) : IDisposable
{
    /// <summary>Runs kept open at most; one more first merges them all into one.</summary>
    internal const int MaxRuns = 32;

    private readonly Dictionary<string, long> _held = new(StringComparer.Ordinal);
    private readonly List<FileStream> _runs = [];

    public int SpillAt { get; } = spillAt > 0 ? spillAt : throw new ArgumentOutOfRangeException(nameof(spillAt));

    /// <summary>Runs written to disk so far (for tests).</summary>
    public int Spilled { get; private set; }

    public void Add(string key, long count = 1)
    {
        _held[key] = _held.GetValueOrDefault(key) + count;
        if (_held.Count >= SpillAt)
        {
            Spill();
        }
    }

    /// <summary>Every key once, in ordinal order, with its total over the runs and what is held.</summary>
    public IEnumerable<(string Key, long Count)> Merged()
    {
        if (_runs.Count == 0)
        {
            return _held.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => (c.Key, c.Value));
        }

        if (_held.Count > 0)
        {
            Spill();
        }

        return Merge([.. _runs]);
    }

    public void Dispose()
    {
        foreach (var run in _runs)
        {
            run.Dispose();
        }

        _runs.Clear();
        _held.Clear();
    }

    private void Spill()
    {
        if (_runs.Count >= MaxRuns)
        {
            var all = _runs.ToList();
            _runs.Clear();
            var merged = Write(directory, Merge(all));
            all.ForEach(r => r.Dispose());
            _runs.Add(merged);
        }

        _runs.Add(Write(directory, _held.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => (c.Key, c.Value))));
        _held.Clear();
        Spilled++;
    }

    private static FileStream Write(string? directory, IEnumerable<(string Key, long Count)> counts)
    {
        var path = Path.Combine(directory ?? Path.GetTempPath(), $"heavyjobs-counts-{Environment.ProcessId}-{Guid.NewGuid():N}.run");
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        File.Delete(path);
        using (var writer = new BinaryWriter(file, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            foreach (var (key, count) in counts)
            {
                writer.Write(key);
                writer.Write(count);
            }
        }

        file.Flush();
        return file;
    }

    /// <summary>A k-way merge of sorted runs, summing equal keys. Reads each run from its start.</summary>
    private static IEnumerable<(string Key, long Count)> Merge(List<FileStream> runs)
    {
        var readers = runs.Select(r =>
        {
            r.Position = 0;
            return new BinaryReader(r, System.Text.Encoding.UTF8, leaveOpen: true);
        }).ToList();
        try
        {
            var next = new PriorityQueue<(int Run, long Count), string>(StringComparer.Ordinal);
            for (var i = 0; i < readers.Count; i++)
            {
                Read(i);
            }

            while (next.TryDequeue(out var head, out var key))
            {
                var total = head.Count;
                Read(head.Run);
                while (next.TryPeek(out var same, out var sameKey) && string.Equals(sameKey, key, StringComparison.Ordinal))
                {
                    next.Dequeue();
                    total += same.Count;
                    Read(same.Run);
                }

                yield return (key, total);
            }

            void Read(int run)
            {
                var reader = readers[run];
                if (reader.BaseStream.Position < reader.BaseStream.Length)
                {
                    var key = reader.ReadString();
                    next.Enqueue((run, reader.ReadInt64()), key);
                }
            }
        }
        finally
        {
            readers.ForEach(r => r.Dispose());
        }
    }
}
