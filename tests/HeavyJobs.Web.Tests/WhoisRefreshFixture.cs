using System.Text.Json;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Pipelines;
using HeavyJobs.Storage.Sqlite;
using HeavyJobs.Storage.Throughput;
using HeavyJobs.Storage.Workers;
using HeavyJobs.Testing;
using HeavyJobs.Whois.Parsing;
using HeavyJobs.Whois.Pipeline;
using HeavyJobs.Whois.Server;

namespace HeavyJobs.Web.Tests;

/// <summary>
/// A dashboard over two WHOIS refreshes: a finished one whose aggregate was written by the real
/// <see cref="AggregateHandler"/> from records the real parser made of synthetic registry answers, and one under way
/// (fetchers ahead of parsers, the aggregator waiting on its barrier), with throughput for every stage.
/// </summary>
public sealed class WhoisRefreshFixture : BrowserFixtureBase
{
    public const int Domains = 300;
    public const int FetchChunks = 24;
    public const int FetchesDone = 12;
    public const int FetchesRunning = 2;
    public const int ParsesDone = 6;

    private static readonly StageDefinition[] Stages =
    [
        new("fetch", WhoisPipeline.Fetch, StageMode.Streaming),
        new("parse", WhoisPipeline.Parse, StageMode.Streaming),
        new("aggregate", WhoisPipeline.Aggregate, StageMode.Barrier),
    ];

    private string _dir = "";
    private SqliteStore? _store;

    public long Finished { get; private set; }

    public long Running { get; private set; }

    private protected override async Task<DashboardHost> StartHostAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        _dir = Directory.CreateTempSubdirectory("heavyjobs-web-whois-").FullName;
        _store = new SqliteStore(Path.Combine(_dir, "heavyjobs.db"));
        await _store.MigrateAsync(ct);
        var now = DateTimeOffset.UtcNow;
        var fetcher = await _store.WorkerRegisterAsync(new WorkerRegisterParams("alpha", 101, [WhoisPipeline.Fetch], "1", 0, now), ct);
        var parser = await _store.WorkerRegisterAsync(new WorkerRegisterParams("alpha", 102, [WhoisPipeline.Parse], "1", 0, now), ct);
        var aggregator = await _store.WorkerRegisterAsync(new WorkerRegisterParams("beta", 103, [WhoisPipeline.Aggregate], "1", 0, now), ct);
        Finished = await FinishedRefreshAsync(_store, (fetcher, parser, aggregator), now - TimeSpan.FromMinutes(50), ct);
        Running = await RunningRefreshAsync(_store, (fetcher, parser), now, ct);
        return await DashboardHost.StartOnAsync(_store);
    }

    private protected override async Task StopAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A temporary folder left behind is harmless.
        }
    }

    /// <summary>One fetch chunk, one parse chunk of every domain's record, and the aggregate the real handler made of them.</summary>
    private static async Task<long> FinishedRefreshAsync(IHeavyStore store, (long Fetch, long Parse, long Aggregate) workers, DateTimeOffset at, CancellationToken ct)
    {
        var job = (await store.JobInsertAsync(new JobInsertParams("whois refresh (finished)", Stages, "{}", ["{}"], 0, 3, at), ct)).JobId;
        var fetch = await ClaimAsync(store, workers.Fetch, WhoisPipeline.Fetch, at, ct);
        await CheckpointAsync(store, fetch, new ChunkCounters(Domains, Domains, 0), [], [new EmittedChunk(1, WhoisPipeline.Parse, "{}", "parse:all")], at, ct);

        var parse = await ClaimAsync(store, workers.Parse, WhoisPipeline.Parse, at, ct);
        var records = ParsedRecords(at);
        var bad = records.Count(r => r.Data.Contains("\"status\":\"bad\"", StringComparison.Ordinal));
        await CheckpointAsync(store, parse, new ChunkCounters(records.Count, records.Count - bad, bad), records, [], at, ct);

        Assert.Single(await store.JobAdvanceStagesAsync(new JobAdvanceParams(at), ct));
        var aggregate = await ClaimAsync(store, workers.Aggregate, WhoisPipeline.Aggregate, at, ct);
        var context = new TestChunkContext
        {
            JobId = aggregate.JobId,
            ChunkId = aggregate.Id,
            Stage = aggregate.Stage,
            Type = aggregate.Type,
            Input = TestJson.Parse(aggregate.Input),
        };
        foreach (var output in await store.OutputListAsync(new OutputListParams(job, aggregate.Stage - 1), ct))
        {
            context.SeedOutput(output.ChunkId, output.Stage, output.Key, output.Data);
        }

        await new AggregateHandler().RunAsync(context, ct);
        context.Complete();
        await CheckpointAsync(store, aggregate, context.Counters, context.Outputs, [], at, ct);
        Assert.Contains(job, await store.JobFinishCompletedAsync(new JobFinishParams(at), ct));

        var samples = new List<ThroughputSample>();
        for (var minute = 0; minute < 10; minute++)
        {
            samples.Add(new ThroughputSample(at.AddMinutes(minute), workers.Fetch, WhoisPipeline.Fetch, 0, 30, 30, 0));
            samples.Add(new ThroughputSample(at.AddMinutes(minute + 1), workers.Parse, WhoisPipeline.Parse, 1, 30, 30 - minute % 2, minute % 2));
        }

        samples.Add(new ThroughputSample(at.AddMinutes(12), workers.Aggregate, WhoisPipeline.Aggregate, 2, Domains, Domains, 0));
        await store.ThroughputAddAsync(new ThroughputAddParams(samples), ct);
        return job;
    }

    /// <summary>
    /// Fetchers half done, all in the last five minutes (2.4 chunks a minute, 12 left: 5 minutes), parsers half as
    /// fast with half as much left (5 minutes, and never before the fetchers), the aggregator's chunk waiting.
    /// </summary>
    private static async Task<long> RunningRefreshAsync(IHeavyStore store, (long Fetch, long Parse) workers, DateTimeOffset now, CancellationToken ct)
    {
        var inputs = Enumerable.Range(0, FetchChunks).Select(i => $$"""{"from":{{i * 100}},"count":100}""");
        var job = (await store.JobInsertAsync(new JobInsertParams("whois refresh", Stages, "{}", inputs, 0, 3, now - TimeSpan.FromMinutes(20)), ct)).JobId;
        for (var i = 0; i < FetchesDone; i++)
        {
            var at = now - TimeSpan.FromSeconds(120 - (i * 8));
            var fetch = await ClaimAsync(store, workers.Fetch, WhoisPipeline.Fetch, at, ct);
            List<EmittedChunk> emitted = [new(1, WhoisPipeline.Parse, "{}", $"parse:{fetch.Id}")];
            if (i == 0)
            {
                emitted.Add(new EmittedChunk(2, WhoisPipeline.Aggregate, "{}", "aggregate"));
            }

            await CheckpointAsync(store, fetch, new ChunkCounters(100, 97, 3), [], emitted, at, ct);
        }

        for (var i = 0; i < FetchesRunning; i++)
        {
            await ClaimAsync(store, workers.Fetch, WhoisPipeline.Fetch, now, ct);
        }

        for (var i = 0; i < ParsesDone; i++)
        {
            var at = now - TimeSpan.FromSeconds(100 - (i * 10));
            var parse = await ClaimAsync(store, workers.Parse, WhoisPipeline.Parse, at, ct);
            await CheckpointAsync(store, parse, new ChunkCounters(100, 96, 4), [], [], at, ct);
        }

        var samples = new List<ThroughputSample>();
        for (var minute = 1; minute <= 5; minute++)
        {
            samples.Add(new ThroughputSample(now.AddMinutes(-minute), workers.Fetch, WhoisPipeline.Fetch, 0, 240, 233, 7));
            samples.Add(new ThroughputSample(now.AddMinutes(-minute), workers.Parse, WhoisPipeline.Parse, 1, 120, 115, 5));
        }

        await store.ThroughputAddAsync(new ThroughputAddParams(samples), ct);
        return job;
    }

    /// <summary>Each domain's registry answer (or not-found answer) read by the real parser, a few failed fetches among them.</summary>
    private static List<ChunkOutput> ParsedRecords(DateTimeOffset at)
    {
        var population = new SyntheticPopulation(seed: 7, size: Domains);
        var outputs = new List<ChunkOutput>();
        for (var i = 0; i < Domains; i++)
        {
            var domain = population.Describe(i);
            var record = i % 50 == 49
                ? new WhoisRecord { Status = WhoisStatus.Bad, Domain = domain.Name, Error = "fetch failed: Connection: connection reset by peer" }
                : WhoisParser.Parse(
                    domain.IsRegistered ? WhoisTemplates.RenderRegistryAnswer(domain, at) : WhoisTemplates.RenderNotFound(domain.Tld.Style, domain.Name, at),
                    domain.Name);
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                WhoisRecordJson.WriteRecord(writer, domain.Name, record);
            }

            outputs.Add(new ChunkOutput(domain.Name, System.Text.Encoding.UTF8.GetString(buffer.ToArray())));
        }

        return outputs;
    }

    private static async Task<ClaimedChunk> ClaimAsync(IHeavyStore store, long worker, string type, DateTimeOffset at, CancellationToken ct) =>
        (await store.ChunkClaimAsync(new ChunkClaimParams(worker, [type], 1, at, Seed.Lease), ct)).Single();

    private static Task CheckpointAsync(IHeavyStore store, ClaimedChunk chunk, ChunkCounters counters, IReadOnlyList<ChunkOutput> outputs, IReadOnlyList<EmittedChunk> emitted, DateTimeOffset at, CancellationToken ct) =>
        store.ChunkCheckpointAsync(new ChunkCheckpointParams(chunk.Id, chunk.JobId, chunk.Stage, chunk.Epoch, "done", counters, outputs, emitted, true, at, Seed.Lease), ct);
}
