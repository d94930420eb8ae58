using System.Globalization;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Storage.Chunks;

namespace HeavyJobs.Storage.Aggregates;

/// <summary>One count of an aggregate output: the output's key is "dimension|value" and its data a whole number.</summary>
public sealed record AggregateRow(string Dimension, string Value, long Count);

/// <param name="Stage">The stage whose outputs were read; -1 when the job has none that emits aggregates.</param>
/// <param name="Skipped">Outputs of that stage that are not aggregates (no '|' in the key, or data that is not a whole number).</param>
/// <param name="Truncated">More outputs than <see cref="JobAggregates.MaxOutputs"/>: only the first were read.</param>
public sealed record AggregateSet(long JobId, int Stage, string StageName, IReadOnlyList<AggregateRow> Rows, long Skipped, bool Truncated);

/// <summary>
/// Reads the counts an aggregating stage wrote as outputs (the WHOIS pilot's aggregate stage writes one output per
/// "dimension|value" with its count). The CLI's <c>whois aggregates</c> and the dashboard's aggregates page read them here.
/// </summary>
public static class JobAggregates
{
    /// <summary>The most outputs read for one job's aggregates.</summary>
    public const int MaxOutputs = 100_000;

    /// <summary>
    /// The aggregates of a job's stage: the given one, else the last barrier stage, else the last stage with outputs.
    /// Null when there is no such job.
    /// </summary>
    public static async Task<AggregateSet?> ReadAsync(IDashboardStore store, long jobId, int? stage, CancellationToken cancellationToken)
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

        if (index < 0 || index >= stages.Count)
        {
            return new AggregateSet(jobId, -1, "", [], 0, false);
        }

        var outputs = await store.OutputListAsync(new OutputListParams(jobId, index, Limit: MaxOutputs + 1), cancellationToken);
        var rows = new List<AggregateRow>();
        long skipped = 0;
        foreach (var o in outputs.Take(MaxOutputs))
        {
            var bar = o.Key.IndexOf('|', StringComparison.Ordinal);
            if (bar <= 0 || !long.TryParse(o.Data, NumberStyles.Integer, CultureInfo.InvariantCulture, out var count))
            {
                skipped++;
                continue;
            }

            rows.Add(new AggregateRow(o.Key[..bar], o.Key[(bar + 1)..], count));
        }

        return new AggregateSet(jobId, index, stages[index].Name, rows, skipped, outputs.Count > MaxOutputs);
    }
}
