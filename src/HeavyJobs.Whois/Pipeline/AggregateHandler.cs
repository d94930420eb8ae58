using System.Globalization;
using System.Text.Json;
using HeavyJobs.Core.Handlers;

namespace HeavyJobs.Whois.Pipeline;

/// <summary>
/// The barrier after parsing: counts every record the parse stage committed by registrar, expiry month,
/// name-server provider, status, TLD, not-found and error reason. Each count is an output "dimension|value".
/// In a refresh cut from a key set, the count covers the whole set: the domains this job parsed, and every
/// other domain by the latest record an earlier refresh left, so refreshing only what went stale still gives
/// the aggregates of everything. It holds counts, never a domain, and at most <see cref="SpillAt"/> of them:
/// more go to disk in sorted runs (<see cref="CounterRuns"/>), so its memory does not grow with the refresh.
/// </summary>
/// <remarks>
/// The counts are written in key order, <see cref="OutputsPerCheckpoint"/> to a checkpoint whose cursor names the
/// last key written: a worker that dies while writing them leaves those committed, and its successor counts
/// again (the committed records are the same) and writes only the keys after the cursor. The chunk's counters
/// go with the last checkpoint.
/// </remarks>
public sealed class AggregateHandler : IChunkHandler
{
    public const string Summary = "summary";

    private const string Aggregated = "aggregated";

    private const string WrittenUpTo = "written-up-to:";

    /// <summary>Distinct counts held in memory before they go to disk (about 300 bytes each, with their keys).</summary>
    internal int SpillAt { get; init; } = 50_000;

    /// <summary>Counts committed by one checkpoint: their outputs wait in memory until it.</summary>
    internal int OutputsPerCheckpoint { get; init; } = 10_000;

    public async ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken)
    {
        if (context.Cursor == Aggregated)
        {
            // Run again after its checkpoint (stopped, or dead before its completion landed): counting again
            // would commit every count twice.
            return;
        }

        // Every committed record counts once: the store commits each parse chunk's records exactly once, and a
        // domain is in one parse chunk. Nothing is kept per domain (a million of them cost the worker 600 MB).
        using var counts = new CounterRuns(SpillAt);
        long records = 0;
        long after = 0;
        while (true)
        {
            // Pages of 1,000 records: each page passes whole through the monitor.
            var page = await context.ReadOutputsAsync(new OutputQuery(Stage: context.Stage - 1), after, 1000, cancellationToken);
            foreach (var o in page)
            {
                Count(counts, o.Key, o.Data);
                records++;
            }

            if (page.Count < 1000)
            {
                break;
            }

            after = page[^1].Id;
            cancellationToken.ThrowIfCancellationRequested();
        }

        // The rest of the key set: the keys this job's parse stage did not mark (fresh or attempted), by the record
        // an earlier refresh left. The store filters, so a refresh of the whole set reads none of it back.
        string? afterKey = null;
        long carried = 0;
        while (true)
        {
            var page = await context.ReadKeysNotMarkedAsync(afterKey, 1000, cancellationToken);
            foreach (var key in page)
            {
                Count(counts, key.Key, key.Latest ?? NeverFetched(key.Key));
                carried++;
            }

            if (page.Count < 1000)
            {
                break;
            }

            afterKey = page[^1].Key;
            cancellationToken.ThrowIfCancellationRequested();
        }

        if (carried > 0)
        {
            counts.Add($"{Summary}|carried-over", carried);
        }

        var written = context.Cursor is { } cursor && cursor.StartsWith(WrittenUpTo, StringComparison.Ordinal) ? cursor[WrittenUpTo.Length..] : null;
        var pending = 0;
        foreach (var (key, count) in counts.Merged())
        {
            if (written is not null && string.CompareOrdinal(key, written) <= 0)
            {
                continue;
            }

            context.Output(key, count.ToString(CultureInfo.InvariantCulture));
            if (++pending == OutputsPerCheckpoint)
            {
                await context.CheckpointAsync(WrittenUpTo + key, cancellationToken);
                pending = 0;
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        context.Add(records + carried, good: records + carried);
        await context.CheckpointAsync(Aggregated, cancellationToken);
    }

    /// <summary>Adds one domain's record to the counts: one to each counter ("dimension|value") it names, as often as it names it.</summary>
    private static void Count(CounterRuns counts, string domain, string data)
    {
        void Count(string dimension, string? value) =>
            counts.Add($"{dimension}|{(string.IsNullOrWhiteSpace(value) ? "(none)" : value.Trim())}");

        using var doc = JsonDocument.Parse(data);
        var r = doc.RootElement;
        var status = r.GetProperty("status").GetString();
        Count(Summary, "domains");
        Count(Summary, status);
        if (status == "never-fetched")
        {
            return;
        }

        Count("tld", domain[(domain.IndexOf('.', StringComparison.Ordinal) + 1)..]);
        if (status == "bad")
        {
            var error = r.GetProperty("error").GetString() ?? "";
            Count("error", error.Length > 80 ? error[..80] : error);
            return;
        }

        if (status != "registered")
        {
            return;
        }

        Count("registrar", r.GetProperty("registrar").GetString());
        Count("expiry_month", r.GetProperty("expires").GetString() is { Length: >= 7 } exp ? exp[..7] : null);
        foreach (var s in r.GetProperty("statuses").EnumerateArray())
        {
            Count("status", s.GetString()?.Split(' ')[0]);
        }

        foreach (var provider in r.GetProperty("nameServers").EnumerateArray().Select(n => Provider(n.GetString() ?? "")).Distinct(StringComparer.Ordinal))
        {
            Count("ns_provider", provider);
        }
    }

    /// <summary>A key of the set that no refresh has fetched yet: counted as such, not as an error.</summary>
    private static string NeverFetched(string domain) => JsonSerializer.Serialize(new NeverFetchedResult(domain, "never-fetched"), PipelineJsonContext.Default.NeverFetchedResult);

    /// <summary>The provider behind a name server: its last two labels (ns1.example-dns.net → example-dns.net).</summary>
    public static string Provider(string host)
    {
        var labels = host.TrimEnd('.').ToLowerInvariant().Split('.');
        // Under a country's second level (example.co.uk, example.com.au) the provider is three labels deep.
        var take = labels.Length >= 3 && labels[^1].Length == 2 && labels[^2] is "co" or "com" or "net" or "org" or "ac" or "ne" or "or" ? 3 : 2;
        return labels.Length <= take ? string.Join('.', labels) : string.Join('.', labels[^take..]);
    }
}
