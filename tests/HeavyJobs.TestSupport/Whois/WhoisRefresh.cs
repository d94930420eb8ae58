using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.KeySets;
using HeavyJobs.Whois.Pipeline;
using HeavyJobs.Whois.Server;

namespace HeavyJobs.TestSupport.Whois;

/// <summary>
/// The WHOIS refresh as the scenarios submit it (fetch and parse streaming, one aggregate behind a barrier,
/// asking a <see cref="LocalWhoisServer"/>), and the counts such a refresh must come to, taken from the
/// synthetic population alone so that no part of HeavyJobs grades its own answer.
/// </summary>
public static class WhoisRefresh
{
    /// <summary>The aggregate stage's index: its outputs are the counts, one "dimension|value" key each.</summary>
    public const int AggregateStage = 2;

    public static IReadOnlyList<StageDefinition> Stages { get; } =
    [
        new StageDefinition("fetch", WhoisPipeline.Fetch, StageMode.Streaming),
        new StageDefinition("parse", WhoisPipeline.Parse, StageMode.Streaming),
        new StageDefinition("aggregate", WhoisPipeline.Aggregate, StageMode.Barrier),
    ];

    /// <summary>
    /// Submits a refresh of <paramref name="domains"/> in fetch chunks of <paramref name="perChunk"/>, with the fetch
    /// settings <paramref name="fetch"/> (camelCase, as FetchOptions reads them) and the server's table; with a
    /// <paramref name="keySet"/>, the domains are loaded into it first and the job is cut from it.
    /// </summary>
    public static async Task<long> SubmitAsync(
        IHeavyStore store,
        LocalWhoisServer server,
        IReadOnlyList<string> domains,
        int perChunk,
        object fetch,
        CancellationToken ct,
        string? keySet = null)
    {
        using var table = new MemoryStream();
        await server.ServerTable.SaveJsonAsync(table, ct);
        var parameters = JsonSerializer.SerializeToNode(fetch)!.AsObject();
        parameters["serverTable"] = JsonNode.Parse(table.ToArray());
        if (keySet is not null)
        {
            await store.KeySetLoadAsync(new KeySetLoadParams(keySet, domains, TimeProvider.System.GetUtcNow()), ct);
        }

        var inserted = await store.JobInsertAsync(
            new JobInsertParams(
                "whois refresh",
                Stages,
                parameters.ToJsonString(),
                domains.Chunk(perChunk).Select(keys => JsonSerializer.Serialize(new { keys })),
                0,
                5,
                TimeProvider.System.GetUtcNow(),
                keySet),
            ct);
        return inserted.JobId;
    }

    /// <summary>
    /// The aggregate stage's outputs as they are stored: a key written twice shows up twice. Read a page at a time: a
    /// million domains make about 171,000 counts (one per name-server provider), and one read of 100,000 stopped
    /// before the summary and TLD counts.
    /// </summary>
    public static async Task<IReadOnlyList<KeyValuePair<string, long>>> AggregatesAsync(IHeavyStore store, long job, CancellationToken ct)
    {
        var all = new List<KeyValuePair<string, long>>();
        long after = 0;
        while (true)
        {
            var page = await store.OutputListAsync(new OutputListParams(job, Stage: AggregateStage, AfterId: after, Limit: 10_000), ct);
            all.AddRange(page.Select(o => KeyValuePair.Create(o.Key, long.Parse(o.Data, CultureInfo.InvariantCulture))));
            if (page.Count < 10_000)
            {
                return all;
            }

            after = page[^1].Id;
        }
    }

    /// <summary>
    /// The summary and per-TLD counts of a refresh of the population's domains <paramref name="indexes"/> in which
    /// every answer came back whole: each domain once, registered or not found as the population says.
    /// </summary>
    public static IReadOnlyDictionary<string, long> ExpectedCounts(SyntheticPopulation population, IEnumerable<long> indexes)
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        void Count(string key) => counts[key] = counts.GetValueOrDefault(key) + 1;
        foreach (var domain in indexes.Select(population.Describe))
        {
            Count("summary|domains");
            Count(domain.IsRegistered ? "summary|registered" : "summary|not-found");
            Count($"tld|{domain.Tld.Suffix}");
        }

        return counts;
    }
}
