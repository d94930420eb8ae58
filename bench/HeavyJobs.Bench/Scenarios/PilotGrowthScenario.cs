using System.Globalization;

namespace HeavyJobs.Bench.Scenarios;

/// <summary>
/// Whether the WHOIS pilot's memory stays flat as the refresh grows (issue 17's <c>pilot.max_rss_growth</c>): the
/// whole demo (<c>heavyjobs run</c>: key set, fetch, parse, aggregate, with the manager, monitor, dashboard and
/// local WHOIS server in the run's process) on SQLite over N domains and then over 10 N, each process's RSS
/// sampled every 500 ms. Per role (the run's process, and the workers of each type) the peak of the big run over
/// that of the small one; the figure is the largest of those ratios. The issue asks it of a million over 100,000
/// domains, which takes an hour here: <c>scripts/fleet-whois.sh 1000000 1000</c> measures that on PostgreSQL.
/// </summary>
internal static class PilotGrowthScenario
{
    public static async Task RunAsync(BenchContext ctx)
    {
        var small = ctx.Quick ? 2_000 : 10_000;
        var smallPeaks = await RunOnceAsync(ctx, small);
        var bigPeaks = await RunOnceAsync(ctx, small * 10);
        var growth = bigPeaks.Keys.Intersect(smallPeaks.Keys)
            .Select(role => (Role: role, Growth: bigPeaks[role] / smallPeaks[role]))
            .OrderByDescending(g => g.Growth)
            .ToList();
        var how = string.Join("; ", growth.Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Role} {smallPeaks[g.Role]:F0} → {bigPeaks[g.Role]:F0} MB")));
        Console.WriteLine($"  peak RSS by role, {small:N0} → {small * 10:N0} domains: {how}");
        ctx.Results.Set("pilot.max_rss_growth", growth.Count == 0 ? double.NaN : growth[0].Growth, $"the largest per-role peak RSS of the WHOIS demo (SQLite) at {small * 10:N0} domains over that at {small:N0}: {how}");
    }

    /// <summary>Runs the demo over <paramref name="domains"/> domains to its end; each role's peak RSS in MB.</summary>
    private static async Task<Dictionary<string, double>> RunOnceAsync(BenchContext ctx, int domains)
    {
        var db = await ctx.FreshAsync("sqlite", "pilotgrowth");
        var peaks = new Dictionary<string, double>(StringComparer.Ordinal);
        var started = DateTime.UtcNow;
        try
        {
            // Limits well above what this machine fetches (the local servers allow half as much again), so the
            // system is what runs, not the servers' politeness; the dashboard on a port of its own.
            await using var run = FleetScenarios.StartCli(ctx, db, "run", "--domains", domains.ToString(CultureInfo.InvariantCulture), "--fetch-rate", "1000", "--urls", "http://127.0.0.1:0");
            var deadline = started + TimeSpan.FromMinutes(ctx.Quick ? 20 : 90);
            while (!run.Exited)
            {
                foreach (var (pid, args) in ProcStat.Tree(run.Pid))
                {
                    var types = Array.IndexOf(args, "--types");
                    var role = pid == run.Pid ? "run" : types >= 0 && types + 1 < args.Length ? $"worker {args[types + 1]}" : null;
                    if (role is not null && ProcStat.RssMb(pid) is { } mb && mb > peaks.GetValueOrDefault(role))
                    {
                        peaks[role] = mb;
                    }
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"the demo over {domains:N0} domains did not end in {deadline - started}: {run.Errors}");
                }

                await Task.Delay(500);
            }

            if (await run.WaitAsync(TimeSpan.FromSeconds(30)) != 0)
            {
                throw new InvalidOperationException($"the demo over {domains:N0} domains failed: {run.Errors}");
            }
        }
        finally
        {
            await ctx.DropAsync(db);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {domains:N0} domains in {(DateTime.UtcNow - started).TotalSeconds:F0} s; peaks: {string.Join(", ", peaks.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value:F0} MB"))}"));
        return peaks;
    }
}
