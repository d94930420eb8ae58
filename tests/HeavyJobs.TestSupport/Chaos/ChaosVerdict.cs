using System.Globalization;
using System.Text.Json;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Chunks;

namespace HeavyJobs.TestSupport.Chaos;

/// <summary>What one job's stored result says against the answer known without HeavyJobs (items 0..N-1, once each).</summary>
public sealed record JobVerdict(
    long JobId,
    JobState State,
    long Items,
    long Lost,
    long Duplicated,
    long StaleWrites,
    long Foreign,
    long ItemSum,
    ChunkCounters Counters,
    int Quarantined,
    IReadOnlyList<string>? QuarantineNotes = null)
{
    /// <summary>Sum of 0..N-1 in closed form.</summary>
    public long ExpectedSum => Items * (Items - 1) / 2;

    /// <summary>Items 0..N-1 are good when even and bad when odd.</summary>
    public ChunkCounters ExpectedCounters => new(Items, (Items + 1) / 2, Items / 2);

    public bool CountersRight => Counters == ExpectedCounters;

    public bool Passed => State == JobState.Completed && Lost == 0 && Duplicated == 0 && StaleWrites == 0 && Foreign == 0
        && ItemSum == ExpectedSum && CountersRight && Quarantined == 0;
}

/// <summary>
/// Reads back a job the chaos run made. Each output's data names the worker that wrote it, and each chunk lists its
/// holders in claim order, so beside lost and doubled items it counts stale writes: a copy written by a holder
/// after a later holder of the same chunk had already written an item at or below it (the earlier one was fenced,
/// yet its write stuck), and any copy by a worker that never held the chunk.
/// </summary>
public static class ChaosVerdict
{
    public static async Task<JobVerdict> CheckAsync(IHeavyStore store, long jobId, long items, CancellationToken ct)
    {
        var job = await store.JobGetAsync(jobId, ct) ?? throw new InvalidOperationException($"job {jobId} is gone");
        var chunks = await store.ChunkListAsync(new ChunkListParams(jobId, Limit: 1_000_000), ct);
        var outputs = new List<OutputRow>();
        long? after = null;
        while (true)
        {
            var page = await store.OutputListAsync(new OutputListParams(jobId, AfterId: after, Limit: 10_000), ct);
            outputs.AddRange(page);
            if (page.Count < 10_000)
            {
                break;
            }

            after = page[^1].Id;
        }

        long lost = 0, duplicated = 0, stale = 0, foreign = 0, sum = 0;
        var seen = new HashSet<long>();
        var byChunk = outputs.ToLookup(o => o.ChunkId);
        foreach (var chunk in chunks)
        {
            using var input = JsonDocument.Parse(chunk.Input);
            var (start, end) = (input.RootElement.GetProperty("start").GetInt64(), input.RootElement.GetProperty("end").GetInt64());
            var copies = new SortedDictionary<long, List<long>>();
            foreach (var o in byChunk[chunk.Id])
            {
                if (!TryItem(o.Key, out var item) || item < start || item >= end)
                {
                    foreign++;
                    continue;
                }

                if (!copies.TryGetValue(item, out var writers))
                {
                    copies[item] = writers = [];
                }

                writers.Add(long.TryParse(o.Data, CultureInfo.InvariantCulture, out var w) ? w : 0);
            }

            for (var item = start; item < end; item++)
            {
                var n = copies.TryGetValue(item, out var writers) ? writers.Count : 0;
                lost += n == 0 ? 1 : 0;
                duplicated += Math.Max(0, n - 1);
                if (n > 0 && seen.Add(item))
                {
                    sum += item;
                }
            }

            stale += StaleCopies(chunk.Holders, copies);
        }

        var counters = chunks.Aggregate(new ChunkCounters(0, 0, 0), (a, c) => new ChunkCounters(a.Done + c.Counters.Done, a.Good + c.Counters.Good, a.Bad + c.Counters.Bad));
        // Which deaths a quarantine counted, so that a failed run says whose they were.
        var notes = chunks.Where(c => c.State == ChunkState.Quarantined)
            .Select(c => $"chunk {c.Id}: {c.Crashes} deaths counted, holders {string.Join(',', c.Holders)}, errors {(c.Errors.Length > 600 ? c.Errors[..600] + "…" : c.Errors)}")
            .ToList();
        return new JobVerdict(jobId, job.State, items, lost, duplicated, stale, foreign, sum, counters, notes.Count, notes);
    }

    /// <summary>
    /// Holders take a chunk over in order, each from the cursor the one before committed, so in item order the
    /// writers' places in the holder list never go down. A copy whose writer comes before the latest holder seen
    /// at or below its item landed after that holder's claim: it was fenced and should not have stuck.
    /// </summary>
    public static long StaleCopies(IReadOnlyList<long> holders, SortedDictionary<long, List<long>> copies)
    {
        long stale = 0;
        var reached = -1;
        foreach (var (_, writers) in copies)
        {
            var places = writers.Select(w => Place(holders, w, reached)).ToList();
            var top = Math.Max(reached, places.Max());
            stale += places.Count(p => p < 0 || p < top);
            reached = top;
        }

        return stale;
    }

    // A worker can hold a chunk more than once (it lost it frozen and claimed it again): take its first place at or
    // after the point reached, else its last; a worker that never held the chunk has no place (-1, always stale).
    private static int Place(IReadOnlyList<long> holders, long writer, int reached)
    {
        var last = -1;
        for (var i = 0; i < holders.Count; i++)
        {
            if (holders[i] == writer)
            {
                if (i >= reached)
                {
                    return i;
                }

                last = i;
            }
        }

        return last;
    }

    private static bool TryItem(string key, out long item)
    {
        item = 0;
        return key.StartsWith("item-", StringComparison.Ordinal) && long.TryParse(key.AsSpan(5), CultureInfo.InvariantCulture, out item);
    }
}
