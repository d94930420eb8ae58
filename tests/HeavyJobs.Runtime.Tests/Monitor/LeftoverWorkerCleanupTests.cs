using System.Diagnostics;
using HeavyJobs.Runtime.Protocol;
using HeavyJobs.Storage.Sqlite;
using HeavyJobs.Storage.Workers;

namespace HeavyJobs.Runtime.Tests.Monitor;

/// <summary>
/// The process scenarios' cleanup kills the workers a broken run left behind, found by the pids in the store's
/// worker rows. Those pids are handed out again (a full turn of the 32,768 in about 35 minutes while the suite
/// runs, as every thread takes one), and several scenarios run at once: a cleanup that trusted the pid alone
/// would SIGKILL another test's worker given the pid of one of its long-gone workers, in any run longer than a
/// turn. Only a process whose environment names the worker and its store is killed.
/// </summary>
public sealed class LeftoverWorkerCleanupTests : IAsyncDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("heavyjobs-cleanup-tests").FullName;
    private readonly List<Process> _processes = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task APidOfAnOldWorkerRow_NowAnotherStoresWorkerOrNoWorkerAtAll_IsLeftAlone_WhileTheRunsOwnLeftoverIsKilled()
    {
        var db = Path.Combine(_dir, "mine.db");
        await using var store = new SqliteStore(db);
        await store.MigrateAsync(Ct);
        // Three processes whose pids the run's rows name: one is its own worker; one is worker 2 of another test's
        // store, which got the pid the run's worker 2 once had; one is no worker at all.
        var mine = Start(new() { [WorkerEnvironment.WorkerId] = "1", [WorkerEnvironment.Db] = db });
        var anotherTests = Start(new() { [WorkerEnvironment.WorkerId] = "2", [WorkerEnvironment.Db] = Path.Combine(_dir, "theirs.db") });
        var noWorker = Start([]);
        foreach (var pid in new[] { mine.Id, anotherTests.Id, noWorker.Id })
        {
            await store.WorkerRegisterAsync(new WorkerRegisterParams("n1", pid, ["test.count"], "1.0", 0, DateTimeOffset.UtcNow), Ct);
        }

        Assert.True(MonitorRun.IsWorker(mine.Id, 1, db));
        Assert.False(MonitorRun.IsWorker(anotherTests.Id, 2, db));
        Assert.True(MonitorRun.IsWorker(anotherTests.Id, 2, "elsewhere", Path.Combine(_dir, "theirs.db")));
        Assert.False(MonitorRun.IsWorker(noWorker.Id, 3, db));

        await MonitorRun.KillLeftoverWorkersAsync(store, db);

        await mine.WaitForExitAsync(Ct);
        Assert.Equal(137, mine.ExitCode);
        Assert.False(anotherTests.HasExited, "another store's worker was killed");
        Assert.False(noWorker.HasExited, "a process that is no worker was killed");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _processes)
        {
            if (!p.HasExited)
            {
                p.StandardInput.Close();
                await p.WaitForExitAsync(CancellationToken.None);
            }

            p.Dispose();
        }

        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>
    /// A process that waits for its input to close, with the environment given, and "--monitored" on its command
    /// line as every worker has (what the cleanup once looked for).
    /// </summary>
    private Process Start(Dictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("sh", ["-c", "read line", "--monitored"]) { UseShellExecute = false, RedirectStandardInput = true };
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var process = Process.Start(info)!;
        _processes.Add(process);
        return process;
    }
}
