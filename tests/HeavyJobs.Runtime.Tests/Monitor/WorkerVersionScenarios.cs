using System.Text.Json;
using HeavyJobs.Storage.Workers;

namespace HeavyJobs.Runtime.Tests.Monitor;

/// <summary>Each worker row keeps the version the worker itself reported, so mixed versions show during a rollout.</summary>
public abstract class WorkerVersionScenarios(string kind) : ProcessScenario(kind)
{
    [Fact]
    public async Task AWorkerOfAnotherVersion_IsShownWithItsOwnVersion_BesideItsMonitors()
    {
        // The Python worker says hello with its own version ("1.0"); the .NET worker is this build, as its monitor is.
        var script = Path.Combine(MonitorRun.RepoRoot, "workers", "python", "heavyjobs_worker.py");
        Run.Start("--external", $"py.squares=python3 {script}");
        await Run.CliAsync(Ct, "workers", "scale", "py.squares=1", "test.count=1", "--node", Run.Node);

        Assert.True(
            await MonitorRun.UntilAsync(async () => (await LiveAsync()) is { Count: 2 } live && live.All(w => w.WorkerVersion is not null), Within, Ct),
            Run.Log);
        var rows = await LiveAsync();
        var python = rows.Single(w => w.Types.Contains("py.squares"));
        var dotnet = rows.Single(w => w.Types.Contains("test.count"));
        Assert.Equal("1.0", python.WorkerVersion);
        Assert.NotEqual("1.0", python.Version);
        Assert.Equal(dotnet.Version, dotnet.WorkerVersion);

        // --all: a loaded machine may have replaced a worker since (hung), and its row still shows what it ran.
        var (exit, json) = await Run.CliAsync(Ct, "workers", "ps", "--all", "--json", "--node", Run.Node);
        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(json);
        var shown = doc.RootElement.GetProperty("workers").EnumerateArray()
            .ToDictionary(w => w.GetProperty("id").GetInt64(), w => (Own: w.GetProperty("version").GetString(), Monitor: w.GetProperty("monitorVersion").GetString()));
        Assert.Equal(("1.0", python.Version), shown[python.Id]);
        Assert.Equal((dotnet.Version, dotnet.Version), shown[dotnet.Id]);

        var (_, table) = await Run.CliAsync(Ct, "workers", "ps", "--all", "--node", Run.Node);
        Assert.Contains($"1.0 (monitor {python.Version})", table, StringComparison.Ordinal);
    }

}

public sealed class SqliteWorkerVersionTests() : WorkerVersionScenarios("sqlite");

public sealed class PostgresWorkerVersionTests() : WorkerVersionScenarios("postgres");
