using System.Globalization;
using HeavyJobs.Whois.Server;

namespace HeavyJobs.Bench.Scenarios;

/// <summary>
/// Where a pilot fetch run's time went, from what the local WHOIS server received: how full the busiest server's
/// slots were over the run (ramp-up, the steady part and the tail), how long a referral waited after the
/// registry's answer, and the best rate a perfect schedule of the same queries reaches under the same limits (so
/// the allowance the ratio divides by can be checked, not trusted).
/// </summary>
internal static class PilotFetchTrace
{
    public static IEnumerable<string> Describe(IReadOnlyList<WhoisRequestRecord> all, DateTimeOffset first, DateTimeOffset last, TimeSpan latency, int atOnce, double rate)
    {
        if (all.Count == 0)
            yield break;

        var run = (last - first).TotalSeconds;
        var counts = all.GroupBy(r => r.ServerName).Select(g => (Server: g.Key, Count: g.Count())).OrderByDescending(c => c.Count).ToList();
        var busiest = counts[0];
        var times = all.Where(r => r.ServerName == busiest.Server).Select(r => r.ReceivedAt).Order().ToList();
        // The busiest server's queries in progress, sampled every 10 ms over the run (each busy for the latency).
        var samples = (int)Math.Ceiling(run * 100);
        int full = 0, reached = -1, lastFull = -1;
        for (var i = 0; i < samples; i++)
        {
            var at = first + TimeSpan.FromMilliseconds(10 * i);
            var busy = times.Count(t => t <= at && at < t + latency);
            if (busy >= atOnce)
            {
                full++;
                lastFull = i;
                if (reached < 0)
                    reached = i;
            }
        }

        var mean = busiest.Count * latency.TotalSeconds / run;
        yield return F($"    mix: {all.Count} queries, busiest {busiest.Server} {busiest.Count} ({100.0 * busiest.Count / all.Count:F0} %), next {string.Join(", ", counts.Skip(1).Take(3).Select(c => c.Count))}");
        yield return F($"    busiest server: {mean:F2} of {atOnce} in flight on average over {run:F1} s; full {100.0 * full / Math.Max(1, samples):F0} % of the time; first full at {reached / 100.0:F2} s, last full {(samples - lastFull) / 100.0:F2} s before the end; its first query {(times[0] - first).TotalSeconds:F2} s in, its last answer {(last - times[^1] - latency).TotalSeconds:F2} s before the end");

        var gaps = all.GroupBy(r => r.Domain, StringComparer.OrdinalIgnoreCase)
            .Where(g => g.Count() >= 2)
            .Select(g => g.OrderBy(r => r.ReceivedAt).ToList())
            .Select(q => (q[1].ReceivedAt - q[0].ReceivedAt - latency).TotalMilliseconds)
            .Order()
            .ToList();
        if (gaps.Count > 0)
            yield return F($"    referrals: {gaps.Count}, from the registry's answer to the registrar's query p50 {gaps[gaps.Count / 2]:F0} ms, p90 {gaps[gaps.Count * 9 / 10]:F0} ms");

        var best = PerfectMakespan(all, latency, atOnce, rate);
        var domains = all.Select(r => r.Domain).Distinct(StringComparer.OrdinalIgnoreCase).Count();
        yield return F($"    a perfect schedule of these queries: {best:F2} s, {domains / best:F1} domains/s; this run {run:F2} s");
    }

    /// <summary>
    /// The makespan of a greedy schedule of the same queries (each domain's queries in order, the next one as soon
    /// as the previous answer is in) under the same per-server slots and spacing, queries with a referral still to
    /// come first. A schedule that is possible, so it bounds the best rate from below.
    /// </summary>
    private static double PerfectMakespan(IReadOnlyList<WhoisRequestRecord> all, TimeSpan latency, int atOnce, double rate)
    {
        var chains = all.GroupBy(r => r.Domain, StringComparer.OrdinalIgnoreCase).Select(g => g.OrderBy(r => r.ReceivedAt).Select(r => r.ServerName).ToList()).ToList();
        var step = 1;
        var busyMs = (int)latency.TotalMilliseconds;
        var spacingMs = Math.Max(1, (int)Math.Ceiling(1000 / rate));
        var next = chains.Select(_ => 0).ToArray();
        var readyAt = chains.Select(_ => 0).ToArray();
        var servers = all.Select(r => r.ServerName).Distinct().ToDictionary(s => s, _ => (Ends: new List<int>(), LastStart: int.MinValue / 2));
        var left = chains.Count;
        var order = Enumerable.Range(0, chains.Count).OrderByDescending(i => chains[i].Count).ToArray();
        var t = 0;
        for (; left > 0; t += step)
        {
            foreach (var s in servers.Values)
                s.Ends.RemoveAll(e => e <= t);
            foreach (var i in order)
            {
                if (next[i] >= chains[i].Count || readyAt[i] > t)
                    continue;
                var s = servers[chains[i][next[i]]];
                if (s.Ends.Count >= atOnce || t - s.LastStart < spacingMs)
                    continue;
                s.Ends.Add(t + busyMs);
                servers[chains[i][next[i]]] = (s.Ends, t);
                readyAt[i] = t + busyMs;
                if (++next[i] == chains[i].Count)
                    left--;
            }
        }

        return (t - step + busyMs) / 1000.0;
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
