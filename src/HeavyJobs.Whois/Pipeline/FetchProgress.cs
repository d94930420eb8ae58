using System.Globalization;
using System.Text;

namespace HeavyJobs.Whois.Pipeline;

/// <summary>
/// Which of a fetch chunk's domains are committed, as its cursor says: the done prefix, then the done indexes
/// beyond it. <c>"40"</c> is the first 40 domains; <c>"40;43,45-60"</c> adds 43 and 45 to 60. Queries finish in
/// any order, so the cursor names exactly the domains fetched: a run that resumes from it fetches every other
/// domain and none of these again. A cursor without <c>;</c> is the plain position the sequential fetcher wrote.
/// </summary>
internal sealed class FetchProgress
{
    private readonly SortedSet<int> _beyond = [];

    private FetchProgress(int count, int prefix)
    {
        Count = count;
        Prefix = Math.Min(prefix, count);
    }

    /// <summary>The chunk's domains.</summary>
    public int Count { get; }

    /// <summary>Every domain before this index is done; the one at it is not (unless all are).</summary>
    public int Prefix { get; private set; }

    public int Done => Prefix + _beyond.Count;

    public bool AllDone => Prefix >= Count;

    public static FetchProgress Parse(string? cursor, int count)
    {
        if (string.IsNullOrEmpty(cursor))
            return new FetchProgress(count, 0);

        var parts = cursor.Split(';', 2);
        var progress = new FetchProgress(count, int.Parse(parts[0], CultureInfo.InvariantCulture));
        if (parts.Length == 2 && parts[1].Length > 0)
        {
            foreach (var range in parts[1].Split(','))
            {
                var dash = range.IndexOf('-', StringComparison.Ordinal);
                var first = int.Parse(dash < 0 ? range : range[..dash], CultureInfo.InvariantCulture);
                var last = dash < 0 ? first : int.Parse(range[(dash + 1)..], CultureInfo.InvariantCulture);
                for (var i = first; i <= last; i++)
                    progress.MarkDone(i);
            }
        }

        return progress;
    }

    public bool IsDone(int index) => index < Prefix || _beyond.Contains(index);

    public void MarkDone(int index)
    {
        if (index < 0 || index >= Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"A fetch chunk of {Count} domains has no domain at this index.");
        if (index < Prefix || !_beyond.Add(index))
            throw new InvalidOperationException($"Domain {index} of the chunk is already done: it would be committed twice.");

        while (_beyond.Remove(Prefix))
            Prefix++;
    }

    public override string ToString()
    {
        var text = new StringBuilder(Prefix.ToString(CultureInfo.InvariantCulture));
        if (_beyond.Count == 0)
            return text.ToString();

        text.Append(';');
        int? first = null, last = null;
        foreach (var i in _beyond)
        {
            if (last == i - 1)
            {
                last = i;
                continue;
            }

            AppendRange(text, first, last);
            first = last = i;
        }

        AppendRange(text, first, last);
        return text.ToString();
    }

    private static void AppendRange(StringBuilder text, int? first, int? last)
    {
        if (first is not { } f || last is not { } l)
            return;
        if (text[^1] != ';')
            text.Append(',');
        text.Append(f.ToString(CultureInfo.InvariantCulture));
        if (l > f)
            text.Append('-').Append(l.ToString(CultureInfo.InvariantCulture));
    }
}
