using System.Text.Json;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Runtime.Jobs;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.KeySets;
using HeavyJobs.Storage.Monitoring;
using HeavyJobs.Whois.Pipeline;
using HeavyJobs.Whois.Server;
using Spectre.Console;

namespace HeavyJobs.Cli.Commands;

/// <summary>
/// The WHOIS pilot on one machine: a local WHOIS server answering for a synthetic population in the formats of
/// real registries (with thin-registry referrals), and a refresh pipeline fetch → parse → aggregate over it.
/// </summary>
internal static class WhoisDemo
{
    /// <summary>A fixed port base, so a run that was stopped resumes against the same server table.</summary>
    public const int PortBase = 43100;

    /// <summary>The fetchers' rate per server by default, fleet-wide (docs/operations.md).</summary>
    public const double FetchRatePerServer = 8;

    /// <summary>The local registries' own limit: half as much again as the fetchers' rate, which they keep under.</summary>
    public static double ServerRateLimit(double fetchRate) => Math.Ceiling(fetchRate * 1.5);

    private const string NameFormat = "whois refresh: {0} domains";

    /// <summary>The key set the demo's domain list is loaded into, once.</summary>
    public const string KeySet = "whois-demo-domains";

    public static async Task<LocalWhoisServer> StartServerAsync(int domains, double fetchRate, CancellationToken ct)
    {
        var population = new SyntheticPopulation(seed: 1, size: domains);
        var faults = new WhoisFaultOptions { RateLimitPerSecond = ServerRateLimit(fetchRate), ResetProbability = 0.01 };
        // Counts only: a refresh of a million domains would keep every query it made.
        var options = new LocalWhoisServerOptions { BasePort = PortBase, Faults = faults, FaultSeed = 7, RecordRequests = false };
        LocalWhoisServer server;
        try
        {
            server = new LocalWhoisServer(population, options);
            await server.StartAsync(ct);
        }
        catch (System.Net.Sockets.SocketException)
        {
            server = new LocalWhoisServer(population, options with { BasePort = 0 });
            await server.StartAsync(ct);
        }

        AnsiConsole.MarkupLine($"Local WHOIS server: {domains:N0} domains, {server.ServerNames.Count} registries and registrars on 127.0.0.1 (try: whois -h 127.0.0.1 -p {server.PortOf("whois.verisign-grs.com")} {Markup.Escape(population.Domain(0))})");
        return server;
    }

    /// <summary>
    /// Loads the domain list into its key set (once: known domains keep their refresh time), then resumes the
    /// refresh that was interrupted or submits one for the domains never refreshed or older than
    /// <paramref name="refreshAge"/>. Null when every domain is fresh.
    /// </summary>
    public static async Task<long?> FindOrSubmitAsync(CliApp app, IHeavyStore store, LocalWhoisServer server, int domains, TimeSpan refreshAge, double fetchRate, CancellationToken ct)
    {
        var name = string.Format(System.Globalization.CultureInfo.InvariantCulture, NameFormat, domains);
        var population = new SyntheticPopulation(seed: 1, size: domains);
        var added = await store.KeySetLoadAsync(new KeySetLoadParams(KeySet, Enumerable.Range(0, domains).Select(i => population.Domain(i)), app.Time.GetUtcNow()), ct);
        if (added > 0)
        {
            AnsiConsole.MarkupLine($"Loaded {added:N0} domains into the key set '{KeySet}'.");
        }

        var existing = (await store.JobListAsync(new JobListParams(Limit: 1000), ct)).FirstOrDefault(j => j.Job.Name == name && j.Job.State is JobState.Active or JobState.Paused);
        if (existing is not null)
        {
            AnsiConsole.MarkupLine($"Resuming job {existing.Job.Id}: {existing.Count(ChunkState.Done)}/{existing.ChunkCount} chunks already done.");
            return existing.Job.Id;
        }

        using var table = new MemoryStream();
        await server.ServerTable.SaveJsonAsync(table, ct);
        var definition = new JobDefinition(
            name,
            [
                new StageDefinition("fetch", WhoisPipeline.Fetch, StageMode.Streaming),
                new StageDefinition("parse", WhoisPipeline.Parse, StageMode.Streaming),
                new StageDefinition("aggregate", WhoisPipeline.Aggregate, StageMode.Barrier),
            ],
            JsonSerializer.SerializeToElement(new
            {
                serverTable = JsonDocument.Parse(table.ToArray()).RootElement,
                ratePerServer = fetchRate,
                // Two at once per server at the polite default; more when the rate is raised to measure the system.
                concurrencyPerServer = Math.Clamp((int)(fetchRate / 4), 2, 16),
                every = 10,
            }),
            new ChunkSplit.StaleKeys(KeySet, refreshAge, 50, domains),
            Priority: 0,
            MaxAttempts: 5);
        try
        {
            var inserted = await JobSubmitter.SubmitAsync(store, app.Registry, definition, "whois demo", Environment.CurrentDirectory, app.Time, ct);
            AnsiConsole.MarkupLine($"Refreshing the domains never fetched or older than {Durations.Format(refreshAge)}: {inserted.ChunkCount:N0} chunks of up to 50.");
            return inserted.JobId;
        }
        catch (NothingToRunException)
        {
            AnsiConsole.MarkupLine($"Every domain was refreshed within the last {Durations.Format(refreshAge)}: nothing to fetch (--refresh-age sets the age).");
            return null;
        }
    }

    /// <summary>The aggregates of the latest completed refresh, when there is nothing new to fetch.</summary>
    public static async Task ShowLatestAsync(IHeavyStore store, CancellationToken ct)
    {
        var latest = (await store.JobListAsync(new JobListParams(Limit: 1000), ct))
            .Where(j => j.Job.Name.StartsWith("whois refresh", StringComparison.Ordinal) && j.Job.State == JobState.Completed)
            .MaxBy(j => j.Job.Id);
        if (latest is not null)
        {
            await WhoisAggregatesCommand.ShowAsync(store, latest.Job.Id, 8, ct);
        }
    }

    public static async Task ScaleAsync(IHeavyStore store, string node, int workers, TimeProvider time, CancellationToken ct)
    {
        await store.WorkerTargetSetAsync(new WorkerTargetSetParams(node, WhoisPipeline.Fetch, Math.Max(2, workers * 2), time.GetUtcNow()), ct);
        await store.WorkerTargetSetAsync(new WorkerTargetSetParams(node, WhoisPipeline.Parse, 1, time.GetUtcNow()), ct);
        await store.WorkerTargetSetAsync(new WorkerTargetSetParams(node, WhoisPipeline.Aggregate, 1, time.GetUtcNow()), ct);
    }

    public static async Task<int> ReportAsync(IHeavyStore store, JobSummary? summary, LocalWhoisServer server, double fetchRate, CancellationToken ct)
    {
        if (summary is null || summary.Job.State is not (JobState.Completed or JobState.Failed))
        {
            return 0;
        }

        await WhoisAggregatesCommand.ShowAsync(store, summary.Job.Id, 8, ct);
        var busiest = server.ServerNames.Select(n => (Name: n, Max: server.MaxRequestsInAnyOneSecondWindow(n))).MaxBy(x => x.Max);
        AnsiConsole.MarkupLine($"The local WHOIS servers answered {server.TotalRequestCount:N0} queries; the busiest ({Markup.Escape(busiest.Name)}) saw at most {busiest.Max} in any one second: under its own limit of {ServerRateLimit(fetchRate)}/s (the fetchers space their starts at {fetchRate}/s per server, fleet-wide; arrival jitter can put one more into a one-second window).");
        AnsiConsole.MarkupLine("Export: heavyjobs whois aggregates --csv DIR (with the same --db)");
        return summary.Job.State == JobState.Completed ? 0 : 1;
    }
}
