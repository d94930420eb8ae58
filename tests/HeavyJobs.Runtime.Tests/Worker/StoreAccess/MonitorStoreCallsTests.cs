using System.IO.Pipes;
using System.Text.Json.Nodes;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Runtime.Monitor;
using HeavyJobs.Runtime.Protocol;
using HeavyJobs.Runtime.Worker;
using HeavyJobs.Runtime.Worker.StoreAccess;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Sqlite;

namespace HeavyJobs.Runtime.Tests.Worker.StoreAccess;

/// <summary>
/// A worker's store calls carried over real pipes to the monitor's server and made on a real store: what comes
/// back is what the store said, and the epoch of every chunk write is the worker's own, so fencing holds.
/// </summary>
public sealed class MonitorStoreCallsTests : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "heavyjobs-tests", Guid.NewGuid().ToString("N"));
    private readonly AnonymousPipeServerStream _toMonitor = new(PipeDirection.Out);
    private readonly AnonymousPipeServerStream _toWorker = new(PipeDirection.Out);
    private readonly CancellationTokenSource _stop = new();
    private SqliteStore _store = null!;
    private PipeWorkerHost _pipe = null!;
    private Task _monitor = Task.CompletedTask;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = new SqliteStore(Path.Combine(_dir, "c.db"));
        await _store.MigrateAsync(Ct);
        var workerIn = new AnonymousPipeClientStream(PipeDirection.In, _toWorker.ClientSafePipeHandle);
        _pipe = new PipeWorkerHost(workerIn, _toMonitor, "test", () => { });
        _pipe.Listen();
        _monitor = ServeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _toMonitor.Dispose();
        _toWorker.Dispose();
        _pipe.Dispose();
        await _monitor.ContinueWith(_ => { }, TaskScheduler.Default);
        await _store.DisposeAsync();
        _stop.Dispose();
    }

    [Fact]
    public async Task ClaimCheckpointAndComplete_ThroughTheMonitor_AreWhatTheStoreSays_AndAStaleEpochWritesNothing()
    {
        var job = await InsertAsync(2);
        var calls = new MonitorStoreCalls(_pipe);

        var claimed = await calls.ChunkClaimAsync(new ChunkClaimParams(7, ["t"], 2, Now, Lease), Ct);
        Assert.Equal(2, claimed.Count);
        Assert.All(claimed, c => Assert.Equal(job, c.JobId));
        Assert.Equal("""{"p":1}""", await calls.JobParametersAsync(job, Ct));
        var first = claimed[0];

        var written = await calls.ChunkCheckpointAsync(Checkpoint(first, first.Epoch, "5"), Ct);
        Assert.Equal(CheckpointOutcome.Committed, written);
        Assert.Equal("5", (await _store.ChunkGetAsync(first.Id, Ct))!.Cursor);

        // An operator's reset bumps the epoch: the worker's late write, carried by the monitor, must be refused.
        Assert.True(await _store.ChunkResetAsync(new ChunkResetParams(first.Id, false, "test", Now), Ct));
        var late = await calls.ChunkCheckpointAsync(Checkpoint(first, first.Epoch, "9"), Ct);
        Assert.Equal(CheckpointOutcome.LeaseLost, late);
        Assert.Equal("5", (await _store.ChunkGetAsync(first.Id, Ct))!.Cursor);

        var second = claimed[1];
        var both = await calls.ChunkCompleteAndClaimAsync(
            new ChunkCompleteAndClaimParams(
                new ChunkCompleteManyParams(
                    [new ChunkCompletion(second.Id, second.Epoch, "1", new ChunkCounters(1, 1, 0), job, 0, [new ChunkOutput("k", "v")], Emitted: [new EmittedChunk(1, "next", "{}", "n1")])],
                    Now),
                new ChunkClaimParams(7, ["t"], 5, Now, Lease)),
            Ct);
        Assert.Equal([second.Id], both.Completed);
        Assert.Equal([first.Id], both.Claimed.Select(c => c.Id));
        Assert.Equal(ChunkState.Done, (await _store.ChunkGetAsync(second.Id, Ct))!.State);
        Assert.Equal("v", Assert.Single(await calls.OutputListAsync(new OutputListParams(job, ChunkId: second.Id), Ct)).Data);
        // The emitted chunk crossed the pipe with its completion.
        Assert.Equal(1, Assert.Single(await _store.ChunkListAsync(new ChunkListParams(job), Ct), c => c.Type == "next").Stage);
    }

    [Fact]
    public async Task AnOperationOutsideTheFixedSet_IsRefused_AndTheWorkerSeesTheStoresFailureAsAnException()
    {
        var unknown = await Assert.ThrowsAsync<MonitorStoreException>(() => _pipe.CallAsync("job.delete", 1L, Ct));
        Assert.Contains("unknown store call 'job.delete'", unknown.Message, StringComparison.Ordinal);
        var bad = await Assert.ThrowsAsync<MonitorStoreException>(() => _pipe.CallAsync(StoreCalls.ChunkClaim, "not a claim", Ct));
        Assert.Contains("through the monitor failed", bad.Message, StringComparison.Ordinal);
        // Arguments the contract does not list never reach the pipe.
        var unlisted = await Assert.ThrowsAsync<MonitorStoreException>(() => _pipe.CallAsync(StoreCalls.ChunkClaim, new { }, Ct));
        Assert.Contains("not in the pipe's contract", unlisted.Message, StringComparison.Ordinal);
    }

    private static DateTimeOffset Now => TimeProvider.System.GetUtcNow();

    private static ChunkCheckpointParams Checkpoint(ClaimedChunk c, long epoch, string cursor) =>
        new(c.Id, c.JobId, c.Stage, epoch, cursor, new ChunkCounters(long.Parse(cursor, System.Globalization.CultureInfo.InvariantCulture), 0, 0), [], [], false, Now, Lease);

    private async Task<long> InsertAsync(int chunks) =>
        (await _store.JobInsertAsync(
            new JobInsertParams("j", [new StageDefinition("main", "t", StageMode.Streaming)], """{"p":1}""", Enumerable.Range(0, chunks).Select(i => $$"""{"i":{{i}}}"""), 0, 5, Now),
            Ct)).JobId;

    /// <summary>The monitor's side: reads the worker's lines and serves its calls, as WorkerProxy does for a worker process.</summary>
    private async Task ServeAsync()
    {
        var server = new StoreCallServer(_store, new TurnGate(2));
        void Send(WireMessage message)
        {
            using var line = Wire.SerializeLine(message);
            lock (_toWorker)
            {
                line.WriteTo(_toWorker);
            }
        }

        using var fromWorker = new StreamReader(new AnonymousPipeClientStream(PipeDirection.In, _toMonitor.ClientSafePipeHandle));
        while (await fromWorker.ReadLineAsync(_stop.Token) is { } line)
        {
            if (Wire.TryParse(line, out var type, out JsonObject body) && type == StoreCalls.Call)
            {
                server.Start(Send, body);
            }
        }
    }
}
