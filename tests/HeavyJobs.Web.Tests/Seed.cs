using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Monitoring;
using HeavyJobs.Storage.Nodes;
using HeavyJobs.Storage.Throughput;
using HeavyJobs.Storage.Workers;

namespace HeavyJobs.Web.Tests;

/// <param name="Busy1">Held by worker 1 with progress: the chunk the reset test sends back to zero.</param>
/// <param name="Failing">Failed once with a script tag as its error.</param>
internal sealed record Seeded(long JobId, long BigJobId, long Worker1, long Worker2, long Busy1, long Busy2, long Failing);

/// <summary>A small fleet, written only through the store's own methods, as monitors and workers would.</summary>
internal static class Seed
{
    public const string Type = "demo.fetch";
    public const string Script = "<script>alert(1)</script>";
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

    public static async Task<Seeded> RunAsync(IHeavyStore store, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await store.NodeUpsertAsync(new NodeUpsertParams("alpha", "boot-a", "0.1.0", 8, now), ct);
        await store.NodeUpsertAsync(new NodeUpsertParams("beta", "boot-b", "0.1.0", 4, now), ct);

        var stages = new[] { new StageDefinition("fetch", Type, StageMode.Streaming) };
        var job = await store.JobInsertAsync(
            new JobInsertParams("whois refresh", stages, """{"tld":"com"}""", Enumerable.Range(0, 8).Select(i => $$"""{"from":{{i * 1000}}}"""), 0, 3, now - TimeSpan.FromHours(1)),
            ct);
        // Many more chunks than a page holds, of a type no worker takes, for paging and caps.
        var big = await store.JobInsertAsync(
            new JobInsertParams("big backfill", [new StageDefinition("scan", "demo.scan", StageMode.Streaming)], "{}", Enumerable.Range(0, 620).Select(i => $$"""{"n":{{i}}}"""), 0, 3, now),
            ct);

        var w1 = await store.WorkerRegisterAsync(new WorkerRegisterParams("alpha", 4101, [Type], "0.1.0", 0, now - TimeSpan.FromMinutes(40)), ct);
        var w2 = await store.WorkerRegisterAsync(new WorkerRegisterParams("beta", 4202, [Type], "0.1.0", 1, now - TimeSpan.FromMinutes(35)), ct);

        var c1 = (await store.ChunkClaimAsync(new ChunkClaimParams(w1, [Type], 1, now, Lease), ct)).Single();
        await Checkpoint(store, c1, "example.com", new ChunkCounters(500, 480, 20), now, ct);
        var c2 = (await store.ChunkClaimAsync(new ChunkClaimParams(w2, [Type], 1, now, Lease), ct)).Single();
        await Checkpoint(store, c2, "example.net", new ChunkCounters(300, 290, 10), now, ct);
        var failing = (await store.ChunkClaimAsync(new ChunkClaimParams(w1, [Type], 1, now, Lease), ct)).Single();
        await store.ChunkFailAsync(new ChunkFailParams(failing.Id, failing.Epoch, w1, Script, now + TimeSpan.FromHours(1), now), ct);

        await store.WorkerUpdateManyAsync(
            new WorkerUpdateManyParams(
                [
                    new WorkerUpdate(w1, WorkerState.Busy, c1.Id, 87.5, 150L << 20, 42.5, "fetching example.com\nslow server whois.example\n"),
                    // A worker already on the next version, under a monitor still on the old one (a rolling deploy).
                    new WorkerUpdate(w2, WorkerState.Busy, c2.Id, 55.0, 90L << 20, 30.0, "fetching example.net\n", WorkerVersion: "0.2.0"),
                ],
                now),
            ct);

        // Half an hour of per-minute samples for both workers.
        var samples = new List<ThroughputSample>();
        for (var minute = 30; minute >= 1; minute--)
        {
            var at = now - TimeSpan.FromMinutes(minute);
            samples.Add(new ThroughputSample(at, w1, Type, 0, 40 + minute % 7 * 5, 38 + minute % 7 * 5, 2));
            samples.Add(new ThroughputSample(at, w2, Type, 0, 25 + minute % 5 * 3, 24 + minute % 5 * 3, 1));
        }

        await store.ThroughputAddAsync(new ThroughputAddParams(samples), ct);

        await store.WorkerTargetSetAsync(new WorkerTargetSetParams("alpha", Type, 1, now), ct);
        await store.WorkerTargetSetAsync(new WorkerTargetSetParams("beta", Type, 1, now), ct);
        await store.WorkerTargetHealthAsync(new WorkerTargetHealthParams("beta", "demo.parse", true, "5 deaths within 120 s; last stderr: Unhandled exception <b>boom</b>", now), ct);

        await store.ActionInsertAsync(new ActionInsertParams("monitor", "start", $"{Type} worker pid 4101: target 1", now - TimeSpan.FromMinutes(40), "alpha", w1), ct);
        await store.ActionInsertAsync(new ActionInsertParams("monitor", "start", $"{Type} worker pid 4202: target 1", now - TimeSpan.FromMinutes(35), "beta", w2), ct);
        await store.ActionInsertAsync(new ActionInsertParams("monitor", ActionKinds.Hung, "no heartbeat for 16 s (process group of pid 3999 killed)", now - TimeSpan.FromMinutes(12), "beta", 99), ct);
        await store.ActionInsertAsync(new ActionInsertParams("monitor", "crash-loop", "demo.parse: 5 deaths within 120 s", now - TimeSpan.FromMinutes(5), "beta"), ct);

        return new Seeded(job.JobId, big.JobId, w1, w2, c1.Id, c2.Id, failing.Id);
    }

    private static Task Checkpoint(IHeavyStore store, ClaimedChunk chunk, string cursor, ChunkCounters counters, DateTimeOffset now, CancellationToken ct) =>
        store.ChunkCheckpointAsync(new ChunkCheckpointParams(chunk.Id, chunk.JobId, chunk.Stage, chunk.Epoch, cursor, counters, [], [], false, now, Lease), ct);
}
