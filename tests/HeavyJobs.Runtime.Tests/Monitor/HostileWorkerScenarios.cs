using System.Text.Json;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Workers;

namespace HeavyJobs.Runtime.Tests.Monitor;

/// <summary>
/// Bad input at the pipe door: workers (real processes) that write garbage, hostile messages, a line over the
/// limit and half a line. What they must get: the monitor stays up, each bad line is counted as garbage with its
/// reason in the worker's stderr tail, and the good messages after them are still served, so nothing is lost.
/// The pipe does not depend on the store, so SQLite alone.
/// </summary>
public sealed class HostileWorkerScenarios() : ProcessScenario("sqlite")
{
    [Fact]
    public async Task GarbageHostileAndOversizedLines_AreCountedAsGarbage_AndTheWorkersJobStillCompletes()
    {
        var python = Path.Combine(MonitorRun.RepoRoot, "workers", "python", "heavyjobs_worker.py");
        // Before the real worker speaks: text, a heartbeat whose chunk ids are not numbers, a non-string type,
        // 17,000,000 bytes without a newline (over the 16 MiB limit), and bytes that are not UTF-8.
        var script = WriteScript("hostile.sh", $$"""
            printf 'not json at all\n'
            printf '{"type":"heartbeat","state":"busy","chunks":["x",{},1.5,-3]}\n'
            printf '{"type":7}\n'
            head -c 17000000 /dev/zero | tr '\0' 'x'; printf '\n'
            printf '\377\376{"type"\n'
            exec python3 {{python}}
            """);
        var job = await SubmitAsync("py.squares", items: 200, perChunk: 100);
        Run.Start("--external", $"py.squares=sh {script}");
        await Run.CliAsync(Ct, "workers", "scale", "py.squares=1", "--node", Run.Node);

        Assert.True(
            await MonitorRun.UntilAsync(async () => (await Store.ChunkListAsync(new ChunkListParams(job), Ct)).All(c => c.State == ChunkState.Done), Within, Ct),
            Run.Log + await TailsAsync());
        var outputs = await Store.OutputListAsync(new OutputListParams(job), Ct);
        Assert.Equal(200, outputs.Select(o => o.Key).Distinct().Count());
        Assert.True(MonitorRun.Alive(Run.Monitor.Id), "the monitor lives");
        // The tail reaches the store with the worker's row, which is written a while after the lines are read.
        Assert.True(
            await MonitorRun.UntilAsync(async () => (await TailsAsync()).Contains("[garbage on stdout] a line of more than 16,777,216 bytes (the limit) was discarded", StringComparison.Ordinal), Within, Ct),
            await TailsAsync());
        Assert.Contains("[garbage on stdout] not json at all", await TailsAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWorkerThatDiesMidLine_HasItsHalfLineReported_NotParsed()
    {
        var script = WriteScript("half.sh", """
            printf '{"type":"hello","version":"half","types":["py.half"],"protocol":1}\n{"type":"heartbeat","state":"idle","chu'
            exit 3
            """);
        Run.Start("--external", $"py.half=sh {script}");
        await Run.CliAsync(Ct, "workers", "scale", "py.half=1", "--node", Run.Node);

        Assert.True(
            await MonitorRun.UntilAsync(async () => (await TailsAsync()).Contains("[garbage on stdout] the stream ended inside a line; its 39 bytes were discarded", StringComparison.Ordinal), Within, Ct),
            Run.Log + await TailsAsync());
        Assert.True(MonitorRun.Alive(Run.Monitor.Id), "the monitor lives");
    }

    private static string WriteScript(string name, string text)
    {
        var path = Path.Combine(Path.GetTempPath(), "heavyjobs-tests", Guid.NewGuid().ToString("N"), name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text + "\n");
        return path;
    }

    private async Task<string> TailsAsync() =>
        string.Join("\n", (await Store.WorkerListAsync(new WorkerListParams(IncludeExited: true), Ct)).Select(w => w.StderrTail));

    private async Task<long> SubmitAsync(string type, int items, int perChunk)
    {
        var inserted = await Store.JobInsertAsync(
            new JobInsertParams(
                type,
                [new StageDefinition("main", type, StageMode.Streaming)],
                JsonSerializer.Serialize(new { every = 25 }),
                Enumerable.Range(0, items / perChunk).Select(i => $$"""{"start":{{i * perChunk}},"end":{{(i + 1) * perChunk}}}"""),
                0,
                5,
                TimeProvider.System.GetUtcNow()),
            Ct);
        return inserted.JobId;
    }
}
