using System.Diagnostics;
using HeavyJobs.Storage.Fleet;

namespace HeavyJobs.Storage.Sqlite.Tests;

/// <summary>
/// A machine's name on SQLite is a lock file beside the database. The manager asks whether a live process holds
/// it without taking it (FleetConformance.LockHeld_… for a holder in the same process); here the holder is a
/// process of its own.
/// </summary>
public sealed class SqliteNameLockTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "heavyjobs-tests", Guid.NewGuid().ToString("N"));
    private SqliteStore _first = null!;
    private SqliteStore _other = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _first = new SqliteStore(Path.Combine(_dir, "store.db"));
        await _first.MigrateAsync(Ct);
        _other = new SqliteStore(Path.Combine(_dir, "store.db"));
    }

    public async ValueTask DisposeAsync()
    {
        await _first.DisposeAsync();
        await _other.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task LockHeld_ByAnotherProcess_IsSeen_AndGoesWithIt()
    {
        // util-linux's flock holds the same kind of lock on the name's file, in a process of its own.
        await using (await _first.TryLockWatchingAsync("node:m1", Ct))
        {
        }

        var file = Directory.GetFiles(_dir, "store.db.lock-*").Single();
        // It says "held" once it has the lock, and holds it until killed; the kernel drops it as the process ends.
        using var holder = Process.Start(new ProcessStartInfo("flock", ["--exclusive", file, "sh", "-c", "echo held; exec sleep 600"]) { RedirectStandardOutput = true })!;
        try
        {
            Assert.Equal("held", await holder.StandardOutput.ReadLineAsync(Ct));
            Assert.True(await _other.LockHeldAsync("node:m1", Ct));
            Assert.Null(await _other.TryLockAsync("node:m1", new LockOptions(), Ct));
        }
        finally
        {
            holder.Kill(entireProcessTree: true);
            await holder.WaitForExitAsync(Ct);
        }

        Assert.False(await _other.LockHeldAsync("node:m1", Ct));
    }
}
