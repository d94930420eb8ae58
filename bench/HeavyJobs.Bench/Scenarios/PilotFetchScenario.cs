using System.Globalization;
using System.Text.Json;
using HeavyJobs.Bench.Modes;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Whois.Pipeline;
using HeavyJobs.Whois.Server;

namespace HeavyJobs.Bench.Scenarios;

/// <summary>
/// The WHOIS pilot's fetch stage (issue 17) on SQLite, with the real monitor and 4 fetch worker processes against
/// the local WHOIS server answering in 300 ms: once with limits so generous that the system is what is measured
/// (<c>pilot.domains_per_s</c>), once with the limits, 100 queries/s and 8 at once per server, where the
/// servers' allowance is the limit (<c>pilot.ratio_to_allowance</c>: the rate over the best those limits allow for
/// the domain mix). The largest fetch worker's RSS over both runs is <c>pilot.worker_rss_mb</c>.
/// </summary>
internal static class PilotFetchScenario
{
    private const int Fetchers = 4;
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(300);

    public static async Task RunAsync(BenchContext ctx)
    {
        var domains = ctx.Quick ? 600 : 1000;
        var rss = new List<double>();
        var (generous, _) = await RunOnceAsync(ctx, domains, rate: 10_000, atOnce: 64, rss);
        ctx.Results.Set("pilot.domains_per_s", generous, $"{domains} domains, 300 ms server latency, 10,000 queries/s and 64 at once per server, {Fetchers} fetch workers, SQLite");
        var (limited, allowance) = await RunOnceAsync(ctx, domains, rate: 100, atOnce: 8, rss);
        ctx.Results.Set("pilot.limited.domains_per_s", limited, $"{domains} domains, 300 ms latency, 100 queries/s and 8 at once per server, {Fetchers} fetch workers, SQLite");
        ctx.Results.Set("pilot.ratio_to_allowance", limited / allowance, string.Create(CultureInfo.InvariantCulture, $"the limited run over the {allowance:F1} domains/s its limits allow for this mix (the busiest server's share of queries)"));
        ctx.Results.Set("pilot.worker_rss_mb", rss.DefaultIfEmpty(0).Max(), "the largest fetch worker's RSS, sampled every 200 ms over both runs");
    }

    private static async Task<(double Rate, double Allowance)> RunOnceAsync(BenchContext ctx, int count, double rate, int atOnce, List<double> rss)
    {
        var population = new SyntheticPopulation(seed: 1, size: count);
        await using var server = new LocalWhoisServer(population, new LocalWhoisServerOptions { BasePort = 0, Faults = new WhoisFaultOptions { Latency = Latency } });
        await server.StartAsync(CancellationToken.None);
        using var table = new MemoryStream();
        await server.ServerTable.SaveJsonAsync(table, CancellationToken.None);
        var db = await ctx.FreshAsync("sqlite", "pilotfetch");
        var node = string.Create(CultureInfo.InvariantCulture, $"bench-pilot-{atOnce}");
        Child? monitor = null;
        try
        {
            long job;
            await using (var store = BenchStores.Open(db))
            {
                var parameters = JsonSerializer.Serialize(new { serverTable = JsonDocument.Parse(table.ToArray()).RootElement, ratePerServer = rate, concurrencyPerServer = atOnce, every = 10 });
                job = (await store.JobInsertAsync(
                    new JobInsertParams(
                        "pilot fetch",
                        [new StageDefinition("fetch", WhoisPipeline.Fetch, StageMode.Streaming), new StageDefinition("parse", WhoisPipeline.Parse, StageMode.Streaming)],
                        parameters,
                        Enumerable.Range(0, count).Select(i => population.Domain(i)).Chunk(50).Select(keys => JsonSerializer.Serialize(new { keys })),
                        0,
                        5,
                        DateTimeOffset.UtcNow),
                    CancellationToken.None)).JobId;
            }

            await CliAsync(ctx, db, "workers", "scale", $"{WhoisPipeline.Fetch}={Fetchers}", $"{WhoisPipeline.Parse}=1", "--node", node);
            monitor = FleetScenarios.StartCli(ctx, db, "monitor", "--node", node);

            // The clock starts when the first fetch chunk is claimed, so the workers' start-up is not counted.
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(10);
            long firstMs = 0;
            while (true)
            {
                if (firstMs == 0 && await Sql.ScalarAsync(db, $"SELECT count(*) FROM hj_chunks WHERE job_id = {job} AND stage = 0 AND state <> 'pending'") > 0)
                {
                    firstMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                }

                foreach (var pid in await Sql.LinesAsync(db, $"SELECT pid FROM hj_workers WHERE node = '{node}' AND types LIKE '%{WhoisPipeline.Fetch}%' AND state IN ('idle', 'busy')"))
                {
                    if (RssMb(int.Parse(pid, CultureInfo.InvariantCulture)) is { } mb)
                    {
                        rss.Add(mb);
                    }
                }

                if (firstMs > 0 && await Sql.ScalarAsync(db, $"SELECT count(*) FROM hj_chunks WHERE job_id = {job} AND stage = 0 AND state <> 'done'") == 0)
                {
                    break;
                }

                if (DateTime.UtcNow > deadline || monitor.Exited)
                {
                    throw new TimeoutException($"the fetch stage did not finish: {monitor.Errors}");
                }

                await Task.Delay(200);
            }

            var lastMs = await Sql.ScalarAsync(db, $"SELECT max(finished_at) FROM hj_chunks WHERE job_id = {job} AND stage = 0");
            var domainsPerS = count / ((lastMs - firstMs) / 1000.0);
            // Each server answers at most min(rate, at-once / latency) queries a second, and this mix asks each for its
            // share of them per domain (referrals included): the busiest server sets the best rate.
            var perServer = Math.Min(rate, atOnce / Latency.TotalSeconds);
            var allowance = server.RequestCounts.Where(c => c.Value > 0).Min(c => perServer * count / c.Value);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {count} domains, {rate}/s and {atOnce} at once per server: {domainsPerS:F1} domains/s, allowance {allowance:F1}/s"));
            foreach (var line in PilotFetchTrace.Describe(server, DateTimeOffset.FromUnixTimeMilliseconds(firstMs), DateTimeOffset.FromUnixTimeMilliseconds(lastMs), Latency, atOnce, rate))
            {
                Console.WriteLine(line);
            }

            if (Environment.GetEnvironmentVariable("HEAVYJOBS_BENCH_TRACE") == "1")
            {
                var byDomain = server.AllRequests().GroupBy(r => r.Domain, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Select(r => r.ReceivedAt.ToUnixTimeMilliseconds() - firstMs).ToList(), StringComparer.OrdinalIgnoreCase);
                var rows = await Sql.LinesAsync(db, $"SELECT id, holders, started_at - {firstMs}, finished_at - {firstMs} FROM hj_chunks WHERE job_id = {job} AND stage = 0 ORDER BY id");
                for (var k = 0; k < rows.Count; k++)
                {
                    var q = Enumerable.Range(k * 50, 50).Where(i => i < count).SelectMany(i => byDomain.GetValueOrDefault(population.Domain(i)) ?? []).Order().ToList();
                    Console.WriteLine($"    chunk {rows[k]} | queries {q.FirstOrDefault()}..{q.LastOrDefault()}");
                }
            }

            return (domainsPerS, allowance);
        }
        finally
        {
            if (monitor is not null)
            {
                await monitor.DisposeAsync();
            }

            await ctx.DropAsync(db);
        }
    }

    private static double? RssMb(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static async Task CliAsync(BenchContext ctx, string db, params string[] args)
    {
        await using var child = FleetScenarios.StartCli(ctx, db, args);
        if (await child.WaitAsync(TimeSpan.FromMinutes(2)) != 0)
        {
            throw new InvalidOperationException($"heavyjobs {string.Join(' ', args)} failed: {child.Errors}");
        }
    }
}
