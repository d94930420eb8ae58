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
/// the domain mix). The largest fetch worker's RSS over both runs is <c>pilot.worker_rss_mb</c>. Each run measures
/// warm workers: a 200-domain job runs first on the same monitor and workers.
/// </summary>
internal static class PilotFetchScenario
{
    private const int Fetchers = 4;
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(300);
    private const int WarmUpDomains = 200;
    private const int WarmUpChunk = 10;

    public static async Task RunAsync(BenchContext ctx)
    {
        // Issue 17's own case, quick or full. At 600 domains (12 chunks of 50 over 4 fetchers) the last chunk's tail,
        // run alone on its few domains of the busiest server, was a tenth of the run and swung the ratio 0.89-0.93
        // from one run to the next with no change between them.
        const int domains = 1000;
        var rss = new List<double>();
        var (generous, _) = await RunOnceAsync(ctx, domains, rate: 10_000, atOnce: 64, rss);
        ctx.Results.Set("pilot.domains_per_s", generous, $"{domains} domains, 300 ms server latency, 10,000 queries/s and 64 at once per server, {Fetchers} warm fetch workers, SQLite");
        var (limited, allowance) = await RunOnceAsync(ctx, domains, rate: 100, atOnce: 8, rss);
        ctx.Results.Set("pilot.limited.domains_per_s", limited, $"{domains} domains, 300 ms latency, 100 queries/s and 8 at once per server, {Fetchers} warm fetch workers, SQLite");
        ctx.Results.Set("pilot.ratio_to_allowance", limited / allowance, string.Create(CultureInfo.InvariantCulture, $"the limited run over the {allowance:F1} domains/s its limits allow for this mix (the busiest server's share of queries)"));
        ctx.Results.Set("pilot.worker_rss_mb", rss.DefaultIfEmpty(0).Max(), "the largest fetch worker's RSS, sampled every 200 ms over both runs");
    }

    private static async Task<(double Rate, double Allowance)> RunOnceAsync(BenchContext ctx, int count, double rate, int atOnce, List<double> rss)
    {
        // The warm-up job's domains follow the measured ones in the same population, so the server knows them all.
        var population = new SyntheticPopulation(seed: 1, size: count + WarmUpDomains);
        await using var server = new LocalWhoisServer(population, new LocalWhoisServerOptions { BasePort = 0, Faults = new WhoisFaultOptions { Latency = Latency } });
        await server.StartAsync(CancellationToken.None);
        using var table = new MemoryStream();
        await server.ServerTable.SaveJsonAsync(table, CancellationToken.None);
        var db = await ctx.FreshAsync("sqlite", "pilotfetch");
        var node = string.Create(CultureInfo.InvariantCulture, $"bench-pilot-{atOnce}");
        var parameters = JsonSerializer.Serialize(new { serverTable = JsonDocument.Parse(table.ToArray()).RootElement, ratePerServer = rate, concurrencyPerServer = atOnce, every = 10 });
        Child? monitor = null;
        try
        {
            await CliAsync(ctx, db, "workers", "scale", $"{WhoisPipeline.Fetch}={Fetchers}", $"{WhoisPipeline.Parse}=1", "--node", node);
            monitor = FleetScenarios.StartCli(ctx, db, "monitor", "--node", node);

            // Warm workers, as a refresh of hours has them: a small job first, in chunks small enough that every
            // fetcher gets some, so that the measured run does not carry each process's start and first compile
            // (2-4 s of CPU per worker on these 2 cores, against a measured run of about 9 s).
            var warm = await InsertAsync(db, "pilot fetch warm-up", parameters, Enumerable.Range(count, WarmUpDomains).Select(i => population.Domain(i)), WarmUpChunk);
            await WaitDoneAsync(db, warm, monitor);
            var since = DateTimeOffset.UtcNow;
            var job = await InsertAsync(db, "pilot fetch", parameters, Enumerable.Range(0, count).Select(i => population.Domain(i)), 50);

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
                    if (ProcStat.RssMb(int.Parse(pid, CultureInfo.InvariantCulture)) is { } mb)
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

            // From the first claim as the store recorded it (the loop above sees it up to 200 ms late) to the last completion.
            firstMs = await Sql.ScalarAsync(db, $"SELECT min(started_at) FROM hj_chunks WHERE job_id = {job} AND stage = 0");
            var lastMs = await Sql.ScalarAsync(db, $"SELECT max(finished_at) FROM hj_chunks WHERE job_id = {job} AND stage = 0");
            var domainsPerS = count / ((lastMs - firstMs) / 1000.0);
            // Each server answers at most min(rate, at-once / latency) queries a second, and this mix asks each for its
            // share of them per domain (referrals included): the busiest server sets the best rate.
            var perServer = Math.Min(rate, atOnce / Latency.TotalSeconds);
            var measured = server.AllRequests().Where(r => r.ReceivedAt >= since).ToList();
            var allowance = measured.GroupBy(r => r.ServerName).Min(g => perServer * count / g.Count());
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {count} domains, {rate}/s and {atOnce} at once per server: {domainsPerS:F1} domains/s, allowance {allowance:F1}/s"));
            foreach (var line in PilotFetchTrace.Describe(measured, DateTimeOffset.FromUnixTimeMilliseconds(firstMs), DateTimeOffset.FromUnixTimeMilliseconds(lastMs), Latency, atOnce, rate))
            {
                Console.WriteLine(line);
            }

            if (Environment.GetEnvironmentVariable("HEAVYJOBS_BENCH_TRACE") == "1")
            {
                var byDomain = measured.GroupBy(r => r.Domain, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Select(r => r.ReceivedAt.ToUnixTimeMilliseconds() - firstMs).ToList(), StringComparer.OrdinalIgnoreCase);
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

    private static async Task<long> InsertAsync(string db, string name, string parameters, IEnumerable<string> domains, int chunk)
    {
        await using var store = BenchStores.Open(db);
        return (await store.JobInsertAsync(
            new JobInsertParams(
                name,
                [new StageDefinition("fetch", WhoisPipeline.Fetch, StageMode.Streaming), new StageDefinition("parse", WhoisPipeline.Parse, StageMode.Streaming)],
                parameters,
                domains.Chunk(chunk).Select(keys => JsonSerializer.Serialize(new { keys })),
                0,
                5,
                DateTimeOffset.UtcNow),
            CancellationToken.None)).JobId;
    }

    /// <summary>Waits until every chunk of the job, parse stage included, is done.</summary>
    private static async Task WaitDoneAsync(string db, long job, Child monitor)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (await Sql.ScalarAsync(db, $"SELECT count(*) FROM hj_chunks WHERE job_id = {job} AND state <> 'done'") > 0
            || await Sql.ScalarAsync(db, $"SELECT count(*) FROM hj_chunks WHERE job_id = {job}") == 0)
        {
            if (DateTime.UtcNow > deadline || monitor.Exited)
            {
                throw new TimeoutException($"the warm-up job did not finish: {monitor.Errors}");
            }

            await Task.Delay(200);
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
