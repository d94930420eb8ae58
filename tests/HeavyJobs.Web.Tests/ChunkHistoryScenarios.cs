using System.Globalization;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Workers;
using HeavyJobs.TestSupport;

namespace HeavyJobs.Web.Tests;

/// <summary>
/// Chunk history with real processes: a monitor and its worker processes on a SQLite store, the manager, and the
/// dashboard over the same store. Workers are killed with SIGKILL, as a misbehaving machine would lose them.
/// </summary>
public sealed partial class ChunkHistoryScenarios
{
    private const int Items = 600;

    // Worker processes start a .NET runtime each on a machine shared with other work: generous, but waited on, never slept.
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(90);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WorkersKilledTwice_JobPageShowsThreeHoldersWithTheirRanges_RewindToTheSecondCheckpointRemovesExactlyTheLaterOutputs_AndTheJobStillEndsRight()
    {
        await using var run = await MonitorRun.CreateAsync("sqlite", Ct);
        var store = run.Store;
        // One chunk of about 6 s of work, checkpointed every 50 items (about every 0.5 s): 12 checkpoints and a few
        // repeated after each death, all within the 20 a chunk keeps.
        var job = (await store.JobInsertAsync(
            new JobInsertParams(
                "history",
                [new StageDefinition("main", "test.count", StageMode.Streaming)],
                """{"sleepMs":10,"every":50}""",
                [$$"""{"start":0,"end":{{Items}}}"""],
                0,
                5,
                TimeProvider.System.GetUtcNow()),
            Ct)).JobId;
        var chunk = (await store.ChunkListAsync(new ChunkListParams(job), Ct)).Single().Id;
        // A lease far longer than the test: the chunk runs again only because the monitor saw each death.
        run.Start("--lease", "600");
        run.StartManager();
        await run.CliAsync(Ct, "workers", "scale", "test.count=1", "--node", run.Node);

        // Two deaths, each after its holder committed at least two checkpoints of its own.
        var killedAt = 0L;
        for (var kill = 1; kill <= 2; kill++)
        {
            var after = killedAt;
            Assert.True(await MonitorRun.UntilAsync(async () => await ChunkAsync() is { State: ChunkState.Running } c && c.Holders.Count == kill && c.Counters.Done >= after + 100, Within, Ct), run.Log);
            var held = await ChunkAsync();
            var victim = (await store.WorkerListAsync(new WorkerListParams(run.Node), Ct)).Single(w => w.Id == held.LeaseOwner);
            MonitorRun.Signal(victim.Pid, "KILL");
            killedAt = held.Counters.Done;
            Assert.True(await MonitorRun.UntilAsync(async () => (await ChunkAsync()).Holders.Count > kill || (await ChunkAsync()).LeaseOwner != victim.Id, Within, Ct), run.Log);
        }

        Assert.True(await MonitorRun.UntilAsync(async () => (await store.JobGetAsync(job, Ct))!.State == JobState.Completed, Within, Ct), run.Log);
        await AssertItemsAsync(Items);

        await using var dashboard = await DashboardHost.StartOnAsync(store);
        using var client = dashboard.Client();
        client.DefaultRequestHeaders.Authorization = new("Bearer", Users.OperatorToken);
        var history = (await store.ChunkHistoryAsync(chunk, Ct))!;
        Assert.Equal([HoldEndings.Died, HoldEndings.Died, HoldEndings.Done], history.Holds.Select(h => h.Ended));
        // Each holder took up where the one before left off, and the last one finished the range.
        Assert.Null(history.Holds[0].FromCursor);
        Assert.Equal(history.Holds[0].ToCursor, history.Holds[1].FromCursor);
        Assert.Equal(history.Holds[1].ToCursor, history.Holds[2].FromCursor);
        Assert.Equal(Items.ToString(CultureInfo.InvariantCulture), history.Holds[2].ToCursor);
        Assert.All(history.Holds, h => Assert.Equal(run.Node, h.Node));

        // The job page shows the three holders with those ranges, and a rewind form for every kept checkpoint.
        var page = await client.GetStringAsync($"/jobs/{job}?chunk={chunk}", Ct);
        var ranges = RangeCells().Matches(page).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();
        Assert.Equal(history.Holds.Select(h => (h.FromCursor ?? "(start)", h.ToCursor ?? "(start)")), ranges);
        Assert.Equal(history.Checkpoints.Count + 1, RewindForms().Matches(page).Count);

        // No worker runs while the rewind is looked at, so what it left is seen before anything is written again.
        await run.CliAsync(Ct, "workers", "scale", "test.count=0", "--node", run.Node);
        Assert.True(await MonitorRun.UntilAsync(async () => (await store.WorkerListAsync(new WorkerListParams(run.Node), Ct)).Count == 0, Within, Ct), run.Log);
        var second = history.Checkpoints.Single(c => c.Number == 2);
        using var rewind = await client.PostAsJsonAsync($"/api/chunks/{chunk}/rewind", new { to = "2" }, Ct);
        Assert.True(rewind.IsSuccessStatusCode, await rewind.Content.ReadAsStringAsync(Ct));

        // Exactly the outputs its second checkpoint covered are left: the items before its cursor.
        var keptItems = int.Parse(second.Cursor!, CultureInfo.InvariantCulture);
        Assert.Equal(Enumerable.Range(0, keptItems).Select(Key).Order(StringComparer.Ordinal), await OutputKeysAsync());
        Assert.Equal((second.Cursor, second.Counters), ((await ChunkAsync()).Cursor, (await ChunkAsync()).Counters));
        Assert.Equal(JobState.Active, (await store.JobGetAsync(job, Ct))!.State);

        await run.CliAsync(Ct, "workers", "scale", "test.count=1", "--node", run.Node);
        Assert.True(await MonitorRun.UntilAsync(async () => (await store.JobGetAsync(job, Ct))!.State == JobState.Completed, Within, Ct), run.Log);
        await AssertItemsAsync(Items);
        Assert.Equal(HoldEndings.Done, (await store.ChunkHistoryAsync(chunk, Ct))!.Holds[^1].Ended);

        async Task<ChunkRow> ChunkAsync() => (await store.ChunkGetAsync(chunk, Ct))!;

        async Task<List<string>> OutputKeysAsync() => [.. (await store.OutputListAsync(new OutputListParams(job), Ct)).Select(o => o.Key).Order(StringComparer.Ordinal)];

        async Task AssertItemsAsync(int items) => Assert.Equal(Enumerable.Range(0, items).Select(Key).Order(StringComparer.Ordinal), await OutputKeysAsync());
    }

    private static string Key(int item) => $"item-{item}";

    [GeneratedRegex("""<td class="from">([^<]*)</td><td class="to">([^<]*)</td>""")]
    private static partial Regex RangeCells();

    [GeneratedRegex("""<form class="rewind" data-post-json="/api/chunks/\d+/rewind">""")]
    private static partial Regex RewindForms();
}
