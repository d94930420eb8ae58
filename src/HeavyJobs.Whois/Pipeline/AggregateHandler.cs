using System.Globalization;
using System.Text.Json;
using HeavyJobs.Core.Handlers;

namespace HeavyJobs.Whois.Pipeline;

/// <summary>
/// The barrier after parsing: counts every domain once (its latest record) by registrar, expiry month,
/// name-server provider, status, TLD, not-found and error reason. Each count is an output "dimension|value".
/// In a refresh cut from a key set, the count covers the whole set: the domains this job parsed, and every
/// other domain by the latest record an earlier refresh left, so refreshing only what went stale still gives
/// the aggregates of everything.
/// </summary>
public sealed class AggregateHandler : IChunkHandler
{
    public const string Summary = "summary";

    private const string Aggregated = "aggregated";

    public async ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken)
    {
        if (context.Cursor == Aggregated)
        {
            // Run again after its checkpoint (stopped, or dead before its completion landed): counting again
            // would commit every count twice.
            return;
        }

        // Each domain counts once, by its latest record: a later record of a domain replaces what its earlier one
        // added. Only each domain's counters are kept, not its record, so memory stays near 100 bytes a domain.
        var tally = new DomainTally();
        long after = 0;
        while (true)
        {
            var page = await context.ReadOutputsAsync(new OutputQuery(Stage: context.Stage - 1), after, 5000, cancellationToken);
            foreach (var o in page)
            {
                tally.Set(o.Key, Counters(o.Key, o.Data));
            }

            if (page.Count < 5000)
            {
                break;
            }

            after = page[^1].Id;
            cancellationToken.ThrowIfCancellationRequested();
        }

        string? afterKey = null;
        long carried = 0;
        while (true)
        {
            var page = await context.ReadKeySetAsync(afterKey, 5000, cancellationToken);
            foreach (var key in page)
            {
                if (!tally.Contains(key.Key))
                {
                    tally.Set(key.Key, Counters(key.Key, key.Latest ?? NeverFetched(key.Key)));
                    carried++;
                }
            }

            if (page.Count < 5000)
            {
                break;
            }

            afterKey = page[^1].Key;
            cancellationToken.ThrowIfCancellationRequested();
        }

        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (counter, count) in tally.Counts())
        {
            counts[counter] = count;
        }

        if (carried > 0)
        {
            counts[$"{Summary}|carried-over"] = carried;
        }

        foreach (var (key, count) in counts)
        {
            context.Output(key, count.ToString(CultureInfo.InvariantCulture));
        }

        context.Add(tally.Domains, good: tally.Domains);
        await context.CheckpointAsync(Aggregated, cancellationToken);
    }

    /// <summary>The counters ("dimension|value") one domain's record adds, once each time it appears.</summary>
    private static List<string> Counters(string domain, string data)
    {
        var counters = new List<string>();
        void Count(string dimension, string? value) =>
            counters.Add($"{dimension}|{(string.IsNullOrWhiteSpace(value) ? "(none)" : value.Trim())}");

        using var doc = JsonDocument.Parse(data);
        var r = doc.RootElement;
        var status = r.GetProperty("status").GetString();
        Count(Summary, "domains");
        Count(Summary, status);
        if (status == "never-fetched")
        {
            return counters;
        }

        Count("tld", domain[(domain.IndexOf('.', StringComparison.Ordinal) + 1)..]);
        if (status == "bad")
        {
            var error = r.GetProperty("error").GetString() ?? "";
            Count("error", error.Length > 80 ? error[..80] : error);
            return counters;
        }

        if (status != "registered")
        {
            return counters;
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

        return counters;
    }

    /// <summary>A key of the set that no refresh has fetched yet: counted as such, not as an error.</summary>
    private static string NeverFetched(string domain) => JsonSerializer.Serialize(new { domain, status = "never-fetched" });

    /// <summary>The provider behind a name server: its last two labels (ns1.example-dns.net → example-dns.net).</summary>
    public static string Provider(string host)
    {
        var labels = host.TrimEnd('.').ToLowerInvariant().Split('.');
        // Under a country's second level (example.co.uk, example.com.au) the provider is three labels deep.
        var take = labels.Length >= 3 && labels[^1].Length == 2 && labels[^2] is "co" or "com" or "net" or "org" or "ac" or "ne" or "or" ? 3 : 2;
        return labels.Length <= take ? string.Join('.', labels) : string.Join('.', labels[^take..]);
    }
}
