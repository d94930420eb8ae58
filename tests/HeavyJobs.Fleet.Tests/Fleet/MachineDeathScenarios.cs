using System.Diagnostics;
using System.Globalization;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Workers;
using HeavyJobs.TestSupport.Whois;
using HeavyJobs.Whois.Pipeline;
using HeavyJobs.Whois.Server;

namespace HeavyJobs.Fleet.Tests.Fleet;

/// <summary>
/// Issue 15, "What it must show" 2: three machines run the WHOIS refresh; one of them is SIGKILLed whole (its
/// monitor and every worker at once) mid-run and never returns. The answer is known independently of HeavyJobs:
/// the synthetic population says which domains are registered and under which TLD.
/// </summary>
public sealed class MachineDeathScenarios
{
    /// <summary>Domains refreshed; scripts/fleet-whois.sh sets it (20,000), the suite keeps its default.</summary>
    public const string DomainsVariable = "HEAVYJOBS_FLEET_WHOIS_DOMAINS";

    // The suite's size: the fleet-wide politeness bounds the refresh at its busiest server (com and net share
    // one registry, 38% of the domains) to its rate per server, so 600 domains take ~30 s of fetching.
    private const int DefaultDomains = 600;

    /// <summary>Queries a second per server, fleet-wide; scripts/fleet-whois.sh raises it for its 20,000 domains.</summary>
    public const string RateVariable = "HEAVYJOBS_FLEET_WHOIS_RATE";

    /// <summary>
    /// "0" leaves machine c alive: scripts/fleet-whois.sh --no-kill measures the memory of a refresh whose every
    /// process keeps its share of the work to the end (a death moves the dead machine's workers onto the others).
    /// </summary>
    public const string KillVariable = "HEAVYJOBS_FLEET_WHOIS_KILL";

    // The suite's politeness: every query still takes its turn through the store, as in production.
    private const int DefaultRatePerServer = 8;
    // Fetch chunks per refresh, whatever its size: enough that each machine holds some and claims more ahead.
    private const int FetchChunks = 20;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WhoisOnThreeMachines_OneKilledWhole_IsDeclaredDead_ItsChunksRunElsewhereWithoutWaitingForLeases_AndEveryDomainCountsOnce()
    {
        var domains = int.TryParse(Environment.GetEnvironmentVariable(DomainsVariable), CultureInfo.InvariantCulture, out var n) ? n : DefaultDomains;
        var ratePerServer = int.TryParse(Environment.GetEnvironmentVariable(RateVariable), CultureInfo.InvariantCulture, out var r) ? r : DefaultRatePerServer;
        var population = new SyntheticPopulation(seed: 15, size: domains);
        var names = Enumerable.Range(0, domains).Select(i => population.Domain(i)).ToList();
        // Generous: fetching alone takes domains × 38% / ratePerServer seconds, and at the sizes the script runs
        // (a million) the machine, not the servers, bounds it: 50 domains a second is far below what it does.
        var within = TimeSpan.FromMinutes(4) + TimeSpan.FromSeconds(Math.Max(domains * 2.0 / ratePerServer, domains / 50.0));
        // No latency, no faults: what is measured is the fleet, not the server.
        await using var server = new LocalWhoisServer(population);
        await server.StartAsync(Ct);
        await using var fleet = await FleetRun.CreateAsync("postgres", Ct);
        // Leases far longer than the test waits: if the dead machine's chunks came back, it was not by lease expiry.
        fleet.Environment["HeavyJobs__Monitor__Lease"] = "00:05:00";
        // Twenty seconds of silence, not the default six: on this shared two-core box a monitor relaying its
        // fetchers' store calls can be held back that long, and a live machine declared dead would flap.
        fleet.Environment["HeavyJobs__Manager__MissedBeats"] = "10";
        var (a, b, c) = (fleet.Machine(0), fleet.Machine(1), fleet.Machine(2));
        var clock = Stopwatch.StartNew();
        fleet.StartManager();
        foreach (var m in new[] { a, b, c })
        {
            fleet.StartMachine(m);
        }

        Assert.True(await MonitorRun.UntilAsync(async () => (await fleet.Store.NodeListAsync(Ct)).Count == 3, within, Ct), fleet.Log);
        Assert.Equal(0, (await fleet.CliAsync(Ct, "workers", "scale", $"{WhoisPipeline.Fetch}=3", $"{WhoisPipeline.Parse}=3", $"{WhoisPipeline.Aggregate}=1", "--fleet")).Exit);
        // Each query takes its turn through the store, as in production; the server itself adds no latency and
        // enforces no limit.
        var perChunk = Math.Max(1, domains / FetchChunks);
        var job = await WhoisRefresh.SubmitAsync(
            fleet.Store,
            server,
            names,
            perChunk,
            // A checkpoint every quarter chunk, at most 500 domains apart: what a killed machine costs at most.
            new { ratePerServer, concurrencyPerServer = 8, maxInFlight = 32, every = Math.Clamp(perChunk / 4, 1, 500) },
            Ct);
        var submitted = clock.Elapsed;

        IReadOnlyList<long> held = [];
        HashSet<long> cWorkers = [];
        (TimeSpan At, TimeSpan FreedAfter, string Reason)? death = null;
        if (Environment.GetEnvironmentVariable(KillVariable) != "0")
        {
            // Kill machine c whole once the refresh is under way and c holds fetch or parse work.
            Assert.True(
                await MonitorRun.UntilAsync(async () => await FetchedAsync(fleet, job) >= domains / 5 && (await HeldByAsync(fleet, c)).Count > 0, within, Ct),
                fleet.Log);
            cWorkers = (await FleetScenarios.Workers(fleet, c)).Select(w => w.Id).ToHashSet();
            await fleet.KillMachineAsync(c);
            var killedAt = clock.Elapsed;
            var killed = Stopwatch.StartNew();
            held = await HeldByAsync(fleet, c);
            // Fetch chunks take seconds each and c's workers claim ahead, so the machine dies holding work.
            Assert.NotEmpty(held);

            // Its chunks are free within seconds, far inside the five-minute lease.
            Assert.True(await MonitorRun.UntilAsync(async () => (await HeldByAsync(fleet, c)).Count == 0, TimeSpan.FromSeconds(90), Ct), fleet.Log);
            var freed = killed.Elapsed;
            Assert.True(await MonitorRun.UntilAsync(async () => (await FleetScenarios.Actions(fleet, ActionKinds.MachineDead)).Count > 0, TimeSpan.FromSeconds(90), Ct), fleet.Log);
            var dead = Assert.Single(await FleetScenarios.Actions(fleet, ActionKinds.MachineDead));
            Assert.Equal(c, dead.Node);
            Assert.All(await FleetScenarios.Workers(fleet, c), w => Assert.Equal(WorkerState.Lost, w.State));
            // The fleet targets are spread over the two machines left: fetch 2 + 1, parse 2 + 1, the aggregator on a
            // (ties go by name).
            await FleetScenarios.ConvergesAsync(fleet, (a, 5), (b, 2));
            death = (killedAt, freed, dead.Reason);
        }

        Assert.True(await MonitorRun.UntilAsync(async () => (await fleet.Store.JobGetAsync(job, Ct))!.State != JobState.Active, within, Ct), fleet.Log);
        var finished = clock.Elapsed;
        Assert.Equal(JobState.Completed, (await fleet.Store.JobGetAsync(job, Ct))!.State);

        // Every domain fetched once and parsed once...
        var order = StringComparer.Ordinal;
        var fetched = await KeysAsync(fleet, job, 0);
        await AssertEveryNameOnceAsync(fleet, job, 0, names, fetched);
        var parsed = await KeysAsync(fleet, job, 1);
        await AssertEveryNameOnceAsync(fleet, job, 1, names, parsed);

        // ...and counted once: each count written once, and each the population's own.
        var aggregates = await WhoisRefresh.AggregatesAsync(fleet.Store, job, Ct);
        Assert.Equal(aggregates.Count, aggregates.Select(x => x.Key).Distinct().Count());
        var expected = WhoisRefresh.ExpectedCounts(population, Enumerable.Range(0, domains).Select(i => (long)i));
        var counted = aggregates.Where(x => x.Key.StartsWith("summary|", StringComparison.Ordinal) || x.Key.StartsWith("tld|", StringComparison.Ordinal)).ToDictionary();
        Assert.Equal(expected.OrderBy(x => x.Key, order), counted.OrderBy(x => x.Key, order));
        Assert.Equal(domains, counted["summary|domains"]);

        // No chunk was charged a death for the machine: not those it had claimed ahead, not the ones it had started.
        var chunks = await fleet.Store.ChunkListAsync(new ChunkListParams(job, Limit: 100_000), Ct);
        Assert.All(chunks.Where(x => held.Contains(x.Id)), x => Assert.Equal(0, x.Crashes));
        Assert.DoesNotContain(chunks, x => x.State == ChunkState.Quarantined);
        Assert.True(cWorkers.Count == 0 || chunks.Any(x => x.Holders.Any(cWorkers.Contains)), "machine c's workers held no chunk before it died");
        var heldStages = chunks.Where(x => held.Contains(x.Id)).GroupBy(x => x.Stage).Select(g => $"{g.Count()} of stage {g.Key}");
        // A chunk that failed an attempt and ran again still ends with every domain once; its errors say what it met.
        var errors = chunks.Where(x => x.Errors is { Length: > 2 }).Select(x => $"chunk {x.Id} (stage {x.Stage}): {x.Errors}").ToList();
        var died = death is var (at, freedAfter, reason)
            ? $"machine {c} killed at {at.TotalSeconds:0.0} s holding {string.Join(", ", heldStages)}, all free {freedAfter.TotalSeconds:0.0} s later ({reason})"
            : "machine c not killed (--no-kill)";
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{domains} domains, {chunks.Count} chunks, {server.TotalRequestCount} queries: submitted at {submitted.TotalSeconds:0.0} s, " +
            $"{died}; refresh completed at {finished.TotalSeconds:0.0} s; tables: {await TableSizesAsync(fleet)}; " +
            $"chunks with errors: {errors.Count}{string.Concat(errors.Take(5).Select(e => "\n  " + e))}");
    }

    /// <summary>Each table of the fleet's schema with its indexes and TOAST, largest first (the script's figures).</summary>
    private static async Task<string> TableSizesAsync(FleetRun fleet)
    {
        if (fleet.Store is not HeavyJobs.Storage.Postgres.PostgresStore pg)
        {
            return "n/a";
        }

        await using var command = pg.DataSource.CreateCommand(
            "SELECT c.relname, pg_size_pretty(pg_total_relation_size(c.oid)), c.reltuples::bigint FROM pg_class c " +
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r' " +
            "ORDER BY pg_total_relation_size(c.oid) DESC LIMIT 8");
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var sizes = new List<string>();
        while (await reader.ReadAsync(Ct))
        {
            sizes.Add($"{reader.GetString(0)} {reader.GetString(1)} (~{reader.GetInt64(2):N0} rows)");
        }

        return string.Join(", ", sizes);
    }

    /// <summary>The keys of a stage's outputs, a page at a time: at a million, the raw answers read at once took the test process past 4 GB, and it died.</summary>
    /// <summary>
    /// Each name's output once in the stage; if not, the failure names what is missing or doubled and, for the first
    /// few, the chunk whose input held it (state, cursor, counters, attempts, holders, errors, its outputs): the
    /// run's database is gone once the test ends, and a refresh of a million takes half an hour to run again.
    /// </summary>
    private static async Task AssertEveryNameOnceAsync(FleetRun fleet, long job, int stage, IReadOnlyList<string> names, IReadOnlyList<string> keys)
    {
        var order = StringComparer.Ordinal;
        if (names.Order(order).SequenceEqual(keys.Order(order)))
        {
            return;
        }

        var missing = names.Except(keys, order).ToList();
        var doubled = keys.GroupBy(k => k, order).Where(g => g.Count() > 1).Select(g => $"{g.Key} ×{g.Count()}").ToList();
        // An output under a key that is no name at all would say its key was garbled on the way, not lost.
        var extra = keys.Except(names, order).ToList();
        var report = new System.Text.StringBuilder(string.Create(CultureInfo.InvariantCulture, $"stage {stage}: {keys.Count} outputs for {names.Count} names; missing {missing.Count}: {string.Join(", ", missing.Take(20))}; doubled {doubled.Count}: {string.Join(", ", doubled.Take(20))}; not a name {extra.Count}: {string.Join(", ", extra.Take(20))}"));
        var chunks = new List<ChunkRow>();
        for (long? after = null; ;)
        {
            var page = await fleet.Store.ChunkListAsync(new ChunkListParams(job, AfterId: after, Limit: 10_000), Ct);
            chunks.AddRange(page.Where(c => c.Stage == stage));
            if (page.Count < 10_000)
            {
                break;
            }

            after = page[^1].Id;
        }

        foreach (var name in missing.Concat(doubled.Select(d => d.Split(' ')[0])).Take(5))
        {
            var holding = chunks.Where(c => c.Input.Contains($"\"{name}\"", StringComparison.Ordinal)).ToList();
            if (holding.Count == 0)
            {
                report.Append(CultureInfo.InvariantCulture, $"\n{name}: in no input of a stage {stage} chunk");
            }

            foreach (var c in holding)
            {
                var outputs = await fleet.Store.OutputListAsync(new OutputListParams(job, Stage: stage, ChunkId: c.Id, Limit: 100_000), Ct);
                report.Append(CultureInfo.InvariantCulture, $"\n{name}: chunk {c.Id} {c.State}, cursor {c.Cursor}, counters {c.Counters}, attempts {c.Attempts}, crashes {c.Crashes}, epoch {c.Epoch}, holders [{string.Join(' ', c.Holders)}], errors {c.Errors}; its outputs {outputs.Count} ({outputs.Count(o => o.Key == name)} of this name)");
            }
        }

        Assert.Fail(report.ToString());
    }

    private static async Task<List<string>> KeysAsync(FleetRun fleet, long job, int stage)
    {
        var keys = new List<string>();
        long? after = null;
        while (true)
        {
            var page = await fleet.Store.OutputListAsync(new OutputListParams(job, Stage: stage, AfterId: after, Limit: 10_000), Ct);
            keys.AddRange(page.Select(o => o.Key));
            if (page.Count < 10_000)
            {
                return keys;
            }

            after = page[^1].Id;
        }
    }

    private static async Task<IReadOnlyList<long>> HeldByAsync(FleetRun fleet, string node)
    {
        var workers = (await fleet.Store.WorkerListAsync(new WorkerListParams(node, IncludeExited: true), Ct)).Select(w => w.Id).ToHashSet();
        var running = await fleet.Store.ChunkListAsync(new ChunkListParams(null, State: ChunkState.Running, Limit: 100_000), Ct);
        return running.Where(x => x.LeaseOwner is { } o && workers.Contains(o)).Select(x => x.Id).ToList();
    }

    // Counted by the store: listing the chunks would read every fetch chunk's input (50,000 names each at the
    // million) on every poll.
    private static async Task<long> FetchedAsync(FleetRun fleet, long job) =>
        (await fleet.Store.JobStageCountsAsync(new JobStageCountsParams(job, DateTimeOffset.UtcNow), Ct)).Where(x => x.Stage == 0).Sum(x => x.Counters.Done);
}
