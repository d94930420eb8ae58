using System.Globalization;
using System.Runtime.CompilerServices;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Storage.Chunks;

namespace HeavyJobs.Storage.Aggregates;

/// <summary>One count of an aggregate output: the output's key is "dimension|value" and its data a whole number.</summary>
public sealed record AggregateRow(string Dimension, string Value, long Count);

/// <summary>One dimension of a stage's counts.</summary>
/// <param name="Total">The sum of every value's count.</param>
/// <param name="Values">How many distinct values the dimension has.</param>
/// <param name="Largest">Its largest values, largest first (ties by value), as many as were asked for.</param>
public sealed record AggregateDimension(string Name, long Total, long Values, IReadOnlyList<AggregateRow> Largest);

/// <param name="Stage">The stage whose outputs were read; -1 when the job has none that emits aggregates.</param>
/// <param name="Dimensions">Every dimension, the summary first, then by name.</param>
/// <param name="Skipped">Outputs of that stage that are not aggregates (no '|' in the key, or data that is not a whole number).</param>
public sealed record AggregateSet(long JobId, int Stage, string StageName, IReadOnlyList<AggregateDimension> Dimensions, long Skipped);

/// <summary>
/// Reads the counts an aggregating stage wrote as outputs (the WHOIS pilot's aggregate stage writes one output per
/// "dimension|value" with its count). The CLI's <c>whois aggregates</c> and the dashboard's aggregates page read them here.
/// Every output is read, a page at a time, and only each dimension's largest values are kept: a million-domain
/// refresh writes about 171,000 counts, most of them name-server providers, and the dimensions after those in key
/// order (registrars, statuses, the summary, TLDs) count as much as the first.
/// </summary>
public static class JobAggregates
{
    /// <summary>The dimension the WHOIS pilot writes its totals under; shown first.</summary>
    public const string Summary = "summary";

    /// <summary>Outputs read per query.</summary>
    public const int PageSize = 10_000;

    /// <summary>
    /// The aggregates of a job's stage: the given one, else the last barrier stage, else the last stage with outputs,
    /// with the <paramref name="largest"/> largest values of each dimension. Null when there is no such job.
    /// </summary>
    public static async Task<AggregateSet?> ReadAsync(IDashboardStore store, long jobId, int? stage, int largest, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(largest);
        if (await FindStageAsync(store, jobId, stage, cancellationToken) is not { } found)
        {
            return null;
        }

        var (index, name) = found;
        if (index < 0)
        {
            return new AggregateSet(jobId, -1, "", [], 0);
        }

        var folds = new Dictionary<string, Fold>(StringComparer.Ordinal);
        long skipped = 0;
        await foreach (var row in ReadRowsAsync(store, jobId, index, cancellationToken))
        {
            if (row is null)
            {
                skipped++;
                continue;
            }

            if (!folds.TryGetValue(row.Dimension, out var fold))
            {
                folds[row.Dimension] = fold = new Fold(largest);
            }

            fold.Add(row);
        }

        var dimensions = folds
            .OrderBy(f => f.Key == Summary ? 0 : 1)
            .ThenBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => new AggregateDimension(f.Key, f.Value.Total, f.Value.Values, f.Value.Largest()))
            .ToList();
        return new AggregateSet(jobId, index, name, dimensions, skipped);
    }

    /// <summary>
    /// The stage <see cref="ReadAsync"/> reads (-1 and "" when the job has none with outputs), or null when there is no
    /// such job.
    /// </summary>
    public static async Task<(int Index, string Name)?> FindStageAsync(IDashboardStore store, long jobId, int? stage, CancellationToken cancellationToken)
    {
        if (await store.JobGetAsync(jobId, cancellationToken) is not { } job)
        {
            return null;
        }

        var stages = job.Stages;
        var index = stage ?? Enumerable.Range(0, stages.Count).LastOrDefault(i => stages[i].Mode == StageMode.Barrier, -1);
        if (index < 0)
        {
            for (var i = stages.Count - 1; i >= 0 && index < 0; i--)
            {
                index = (await store.OutputListAsync(new OutputListParams(jobId, i, Limit: 1), cancellationToken)).Count > 0 ? i : -1;
            }
        }

        return index < 0 || index >= stages.Count ? (-1, "") : (index, stages[index].Name);
    }

    /// <summary>Every output of the stage in the order written, a page at a time: a count, or null for an output that is not one.</summary>
    public static async IAsyncEnumerable<AggregateRow?> ReadRowsAsync(
        IDashboardStore store, long jobId, int stage, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long? after = null;
        while (true)
        {
            var page = await store.OutputListAsync(new OutputListParams(jobId, stage, AfterId: after, Limit: PageSize), cancellationToken);
            foreach (var o in page)
            {
                var bar = o.Key.IndexOf('|', StringComparison.Ordinal);
                yield return bar > 0 && long.TryParse(o.Data, NumberStyles.Integer, CultureInfo.InvariantCulture, out var count)
                    ? new AggregateRow(o.Key[..bar], o.Key[(bar + 1)..], count)
                    : null;
            }

            if (page.Count < PageSize)
            {
                yield break;
            }

            after = page[^1].Id;
        }
    }

    /// <summary>A dimension's total and distinct values, and its largest values in a heap whose root is the one to drop next.</summary>
    private sealed class Fold(int keep)
    {
        // The smaller count goes first; of equal counts the later value, so ties keep the first values by name.
        private static readonly Comparer<AggregateRow> _dropFirst = Comparer<AggregateRow>.Create((a, b) =>
            a.Count != b.Count ? a.Count.CompareTo(b.Count) : string.CompareOrdinal(b.Value, a.Value));

        private readonly PriorityQueue<AggregateRow, AggregateRow> _largest = new(_dropFirst);

        public long Total { get; private set; }

        public long Values { get; private set; }

        public void Add(AggregateRow row)
        {
            Total += row.Count;
            Values++;
            if (keep == 0)
            {
                return;
            }

            if (_largest.Count < keep)
            {
                _largest.Enqueue(row, row);
            }
            else if (_dropFirst.Compare(row, _largest.Peek()) > 0)
            {
                _largest.EnqueueDequeue(row, row);
            }
        }

        public List<AggregateRow> Largest() =>
            _largest.UnorderedItems.Select(i => i.Element)
                .OrderByDescending(r => r.Count).ThenBy(r => r.Value, StringComparer.Ordinal).ToList();
    }
}
