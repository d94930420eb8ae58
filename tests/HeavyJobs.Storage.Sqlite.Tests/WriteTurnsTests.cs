using System.Diagnostics;

namespace HeavyJobs.Storage.Sqlite.Tests;

public sealed class WriteTurnsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "heavyjobs-tests", Guid.NewGuid().ToString("N"));

    public WriteTurnsTests() => Directory.CreateDirectory(_dir);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Db => Path.Combine(_dir, "w.db");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task AnotherProcessesTurn_KeepsThisWriterWaiting_UntilThatProcessDies()
    {
        using var turns = new WriteTurns(Db, TimeSpan.FromMinutes(1));
        // A first write opens the lock file, so the wait below is on flock itself, not on opening the file
        // (which the next test meets).
        (await turns.TakeAsync(Ct)).Dispose();
        // Another process takes the file's turn (flock(1) on the same lock file) and keeps it.
        using var other = Process.Start(new ProcessStartInfo("flock", [Db + "-turn", "-c", "echo locked; exec sleep 600"]) { RedirectStandardOutput = true })!;
        Assert.Equal("locked", await other.StandardOutput.ReadLineAsync(Ct));

        // TakeAsync returns at once, completed, whenever it does not wait for a turn (the lock was free, or no
        // lock file could be used): a task still running is a writer waiting.
        var waiting = turns.TakeAsync(Ct).AsTask();
        Assert.False(waiting.IsCompleted, "a writer took its turn while another process held it");

        // The kernel gives a dead process's turn up: the waiting writer gets it.
        other.Kill(entireProcessTree: true);
        using var turn = await waiting.WaitAsync(TimeSpan.FromSeconds(30), Ct);
    }

    [Fact]
    public async Task TwoStoresOfOneFile_TakeTurns_AndAGivenUpTurnPassesOn()
    {
        using var first = new WriteTurns(Db, TimeSpan.FromMinutes(1));
        using var second = new WriteTurns(Db, TimeSpan.FromMinutes(1));

        var held = await first.TakeAsync(Ct);
        var waiting = second.TakeAsync(Ct).AsTask();
        var alsoWaiting = first.TakeAsync(Ct).AsTask();
        // As above: a turn not waited for comes back completed.
        Assert.False(waiting.IsCompleted, "another store's writer took its turn while this one held it");
        Assert.False(alsoWaiting.IsCompleted, "a second writer of the same store took its turn while the first held it");

        held.Dispose();
        var next = await Task.WhenAny(waiting, alsoWaiting).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.False((next == waiting ? alsoWaiting : waiting).IsCompleted, "two writers held their turns at once");
        (await next).Dispose();
        (await (next == waiting ? alsoWaiting : waiting).WaitAsync(TimeSpan.FromSeconds(30), Ct)).Dispose();
    }

    [Fact]
    public async Task WithoutALockFile_AWriterGoesOn_LeavingTheWaitToSqlite()
    {
        using var turns = new WriteTurns(Path.Combine(_dir, "no-such-folder", "w.db"), TimeSpan.FromMinutes(1));

        // The folder is missing: no lock file, and every writer's turn comes at once, one after another.
        (await turns.TakeAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), Ct)).Dispose();
        (await turns.TakeAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), Ct)).Dispose();
        Assert.False(File.Exists(Path.Combine(_dir, "no-such-folder", "w.db-turn")));
    }
}
