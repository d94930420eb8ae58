using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Sqlite;

namespace HeavyJobs.Cli.Tests;

/// <summary>
/// A user's own application on the HeavyJobs packages (samples/HelloHeavyJobs): built from the local feed, its
/// handler's unit tests pass with the testing package, and its own executable runs monitor, manager and the
/// workers the monitor starts from it, on SQLite, to the handler's result.
/// </summary>
public sealed class SampleTests(BuiltSample sample) : IClassFixture<BuiltSample>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheSamplesOwnHandlerTests_Pass()
    {
        sample.Check();

        var (exit, output) = await ToolProcess.RunAsync("dotnet", null, ["test", Path.Combine(sample.Root, "HelloHeavyJobs.Tests"), "--no-build", "-nologo"], Ct, sample.Environment);

        Assert.True(exit == 0, $"exit {exit}:\n{output}");
        Assert.Contains("Passed!", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheSample_RunsItsJob_ThroughWorkersOfItsOwnExecutable()
    {
        sample.Check();
        var db = HeavyjobsProcess.NewDbPath();
        var app = Path.Combine(sample.Root, "HelloHeavyJobs", "bin", "Debug", "net10.0", "HelloHeavyJobs.dll");

        var (exit, output) = await ToolProcess.RunAsync("dotnet", null, [app, "--db", db, "--node", "sample-test"], Ct);

        Assert.True(exit == 0, $"exit {exit}:\n{output}");
        // 15 + 11 + 11 words: every word of the three lines counted once.
        Assert.Contains("completed: 37 words in 3 lines", output, StringComparison.Ordinal);
        await using var store = new SqliteStore(db);
        var starts = await store.ActionListAsync(new ActionListParams(Kind: ActionKinds.Start, Node: "sample-test"), Ct);
        Assert.Contains(starts, a => a.Reason.StartsWith("hello.wordcount worker pid", StringComparison.Ordinal));
        // The workers' own logs (the host's start-up lines among them) went to stderr, not onto the protocol pipe.
        var workers = await store.WorkerListAsync(new Storage.Workers.WorkerListParams("sample-test", IncludeExited: true), Ct);
        Assert.NotEmpty(workers);
        Assert.All(workers, w => Assert.DoesNotContain("[garbage on stdout]", w.StderrTail ?? "", StringComparison.Ordinal));
        Assert.Contains(workers, w => (w.StderrTail ?? "").Contains("Application started", StringComparison.Ordinal));
    }
}
