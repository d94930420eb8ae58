using System.Text.Json;

namespace HeavyJobs.Cli.Tests;

public sealed class CliTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Submit_MalformedYaml_NamesTheFileTheFieldAndTheProblem()
    {
        var db = HeavyjobsProcess.NewDbPath();
        var file = Path.Combine(Path.GetDirectoryName(db)!, "bad.yaml");
        await File.WriteAllTextAsync(file, "name: bad\ntype: demo.primes\nsplit:\n  range: { start: 0, end: 100, size: 0 }\n", Ct);

        var (exit, _, err) = await HeavyjobsProcess.RunAsync(db, Ct, "submit", file);

        Assert.Equal(2, exit);
        Assert.Equal($"error: {file}: split.range.size: must be between 1 and {long.MaxValue} (got 0)", err.Trim());
    }

    [Theory]
    [InlineData("monitor --lease 3", "error: HeavyJobs:Monitor:Lease (3 s) must be at least three heartbeats")]
    [InlineData("monitor --idle-probe=-1", "error: HeavyJobs:Monitor:IdleProbeInterval must be positive (got -00:00:01)")]
    [InlineData("worker --concurrency 0", "error: HeavyJobs:Worker:Concurrency must be at least 1 (got 0)")]
    [InlineData("run --fetch-rate 0", "error: --fetch-rate: queries a second per server, above 0 and at most 100000 (got 0)")]
    public async Task ABadOption_StopsTheCommandAtStart_NamingTheOption_BeforeTheStoreIsTouched(string command, string message)
    {
        var db = HeavyjobsProcess.NewDbPath();

        var (exit, _, err) = await HeavyjobsProcess.RunAsync(db, Ct, command.Split(' '));

        Assert.Equal(2, exit);
        Assert.StartsWith(message, err.Trim(), StringComparison.Ordinal);
        Assert.False(File.Exists(db), "the store must not be created when the options are wrong");
    }

    [Fact]
    public async Task Submit_UnknownJobType_IsRefusedWithTheKnownTypes()
    {
        var db = HeavyjobsProcess.NewDbPath();
        var file = Path.Combine(Path.GetDirectoryName(db)!, "job.json");
        await File.WriteAllTextAsync(file, """{ "name": "x", "type": "no.such", "split": { "inputs": [1, 2] } }""", Ct);

        var (exit, _, err) = await HeavyjobsProcess.RunAsync(db, Ct, "submit", file);

        Assert.Equal(2, exit);
        Assert.Contains("type: unknown job type 'no.such'; known types: demo.primes", err, StringComparison.Ordinal);
        var (_, status, _) = await HeavyjobsProcess.RunAsync(db, Ct, "status", "--json");
        using var doc = JsonDocument.Parse(status);
        Assert.Equal(0, doc.RootElement.GetProperty("jobs").GetArrayLength());
    }

    [Fact]
    public async Task Run_TheDemo_CompletesRealWork_AndStatusJsonShowsEveryChunk()
    {
        var db = HeavyjobsProcess.NewDbPath();

        var (exit, output, err) = await HeavyjobsProcess.RunAsync(db, Ct, "run", "--pilot", "primes", "--below", "1000000", "--chunk-size", "100000", "--workers", "2", "--urls", "http://127.0.0.1:0");

        Assert.True(exit == 0, output + err);
        Assert.Contains("78,498", output, StringComparison.Ordinal);
        var (_, status, _) = await HeavyjobsProcess.RunAsync(db, Ct, "status", "--json");
        using var doc = JsonDocument.Parse(status);
        var job = Assert.Single(doc.RootElement.GetProperty("jobs").EnumerateArray());
        Assert.Equal("completed", job.GetProperty("state").GetString());
        Assert.Equal(78_498, job.GetProperty("good").GetInt64());
        var chunks = doc.RootElement.GetProperty("chunks").EnumerateArray().ToList();
        Assert.Equal(10, chunks.Count);
        Assert.All(chunks, c =>
        {
            Assert.Equal("done", c.GetProperty("state").GetString());
            Assert.Equal(100_000, c.GetProperty("done").GetInt64());
            Assert.NotNull(c.GetProperty("cursor").GetString());
            Assert.NotEmpty(c.GetProperty("workerIds").EnumerateArray());
        });
    }

    [Fact]
    public async Task Worker_Sigterm_CheckpointsGivesItsChunkBackAndExits()
    {
        var db = HeavyjobsProcess.NewDbPath();
        var file = Path.Combine(Path.GetDirectoryName(db)!, "long.yaml");
        // Tiny segments make checkpoints frequent and the chunk long: the worker is surely mid-chunk when stopped.
        await File.WriteAllTextAsync(file, "name: long\ntype: demo.primes\nparameters: { segment: 1000 }\nsplit:\n  range: { start: 0, end: 2000000000, size: 1000000000 }\n", Ct);
        Assert.Equal(0, (await HeavyjobsProcess.RunAsync(db, Ct, "submit", file)).Exit);
        var (worker, output) = HeavyjobsProcess.Start(db, "worker");

        var progressed = await StoreProbe.WaitForAsync(db, "SELECT count(*) FROM hj_chunks WHERE cursor IS NOT NULL", Ct);
        Assert.True(progressed, output.ToString());
        HeavyjobsProcess.Signal(worker, "TERM");
        await worker.WaitForExitAsync(Ct);

        Assert.Equal(0, worker.ExitCode);
        var chunks = await ChunksAsync(db);
        Assert.All(chunks, c => Assert.Equal("pending", c.GetProperty("state").GetString()));
        var resumed = chunks.Single(c => c.GetProperty("cursor").GetString() is not null);
        Assert.True(long.Parse(resumed.GetProperty("cursor").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal(0, resumed.GetProperty("attempts").GetInt32());
        var (_, actions, _) = await HeavyjobsProcess.RunAsync(db, Ct, "actions");
        Assert.Contains("stopped", actions, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Db_UnreachablePostgres_SaysSoWhileItRetries_ThenGivesAClearErrorWithItsCause_WithoutPassword()
    {
        var (exit, _, err) = await HeavyjobsProcess.RunAsync(
            HeavyjobsProcess.NewDbPath(),
            Ct,
            "status",
            "--db",
            "Host=127.0.0.1;Port=1;Username=x;Password=secret;Database=y;Timeout=2");

        Assert.Equal(3, exit);
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // While the store retries: one line, with why, and how many tries are left (not its 20 s of silence).
        var retrying = Assert.Single(lines, l => l.Contains("warn:", StringComparison.Ordinal));
        Assert.Contains("failed a call three times in a row; retrying it 6 more time(s) before giving up: Failed to connect to 127.0.0.1:1: Connection refused", retrying, StringComparison.Ordinal);
        // Then the error, last, with the driver's cause.
        Assert.StartsWith("error: PostgreSQL Host=127.0.0.1;Port=1", lines[^1], StringComparison.Ordinal);
        Assert.EndsWith(": Connection refused", lines[^1], StringComparison.Ordinal);
        Assert.DoesNotContain("secret", err, StringComparison.Ordinal);
    }

    private static async Task<List<JsonElement>> ChunksAsync(string db)
    {
        var (_, status, _) = await HeavyjobsProcess.RunAsync(db, Ct, "status", "--json");
        using var doc = JsonDocument.Parse(status);
        return doc.RootElement.GetProperty("chunks").EnumerateArray().Select(c => c.Clone()).ToList();
    }
}
