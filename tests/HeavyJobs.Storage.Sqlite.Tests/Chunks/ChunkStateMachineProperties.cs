using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Workers;
using Microsoft.Extensions.Time.Testing;
using Microsoft.FSharp.Core;

namespace HeavyJobs.Storage.Sqlite.Tests.Chunks;

/// <summary>
/// The chunk state machine, driven through the store's own methods by random sequences of claims, checkpoints,
/// completions, failures, operator resets and cancels, lease expiries and workers killed and reclaimed, against a
/// real SQLite file. Workers act on what their claim told them, so a worker whose chunk was taken away (reclaimed,
/// reset, cancelled) keeps writing as a thawed process would. After every step: a chunk is done at most once per
/// operator reset; its cursor never goes back except by a reset to zero; its counters and its outputs are exactly
/// the items below its cursor; no lease of a killed worker survives its reclaim, nor an expired lease the manager's.
/// Reproduce a failure with <c>HEAVYJOBS_PROPERTY_SEED=&lt;seed&gt;</c> (printed with it); more cases with
/// <c>HEAVYJOBS_PROPERTY_CASES</c> (30 by default, about 15 s on an idle 2-core box).
/// </summary>
public sealed class ChunkStateMachineProperties : IAsyncLifetime
{
    private const int Items = 12;
    private const int Chunks = 3;
    private const int Workers = 3;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "heavyjobs-tests", Guid.NewGuid().ToString("N"));
    private SqliteStore _store = null!;
    private int _case;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = new SqliteStore(Path.Combine(_dir, "sm.db"), new SqliteStoreOptions { Synchronous = "NORMAL" }, _time);
        await _store.MigrateAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A temporary folder left behind is harmless.
        }
    }

    internal enum Kind { Claim, Checkpoint, Complete, Fail, Reset, ResetToZero, Cancel, Expire, Kill }

    /// <summary>One step: what happens, by which worker (or to which chunk), and how far a checkpoint goes.</summary>
    internal sealed record Op(Kind Kind, int Who, int Step)
    {
        public override string ToString() => $"{Kind}({Who},{Step})";
    }

    [Fact]
    public async Task AnySequenceOfClaimsCheckpointsCompletionsFailuresResetsCancelsExpiriesAndKills_KeepsEveryChunkInvariant()
    {
        var seed = ulong.TryParse(Environment.GetEnvironmentVariable("HEAVYJOBS_PROPERTY_SEED"), CultureInfo.InvariantCulture, out var s) ? s : (ulong)Random.Shared.NextInt64();
        var cases = int.TryParse(Environment.GetEnvironmentVariable("HEAVYJOBS_PROPERTY_CASES"), CultureInfo.InvariantCulture, out var n) ? n : 30;
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(cases)
            .WithQuietOnSuccess(true)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed), FSharpOption<int>.None)));
        var op = Gen.Frequency(
            (6, Gen.Constant(Kind.Claim)),
            (8, Gen.Constant(Kind.Checkpoint)),
            (3, Gen.Constant(Kind.Complete)),
            (2, Gen.Constant(Kind.Fail)),
            (1, Gen.Constant(Kind.Reset)),
            (1, Gen.Constant(Kind.ResetToZero)),
            (1, Gen.Constant(Kind.Expire)),
            (2, Gen.Constant(Kind.Kill)))
            .SelectMany(k => Gen.Choose(0, Workers - 1).SelectMany(w => Gen.Choose(1, 5).Select(step => new Op(k, w, step))));
        // A cancel now and then, late: before it, there is more to see.
        var plans =
            from length in Gen.Choose(1, 40)
            from ops in Gen.ArrayOf(op, length)
            from cancelAt in Gen.Frequency((4, Gen.Constant(-1)), (1, Gen.Choose(0, length - 1)))
            select cancelAt < 0 ? ops : [.. ops.Take(cancelAt), new Op(Kind.Cancel, 0, 0), .. ops.Skip(cancelAt)];
        var property = Prop.ForAll(Arb.From(plans, ShrinkPlan), plan => Task.Run(() => RunAsync(plan), Ct).GetAwaiter().GetResult());
        try
        {
            await Task.Run(() => Check.One(config, property), Ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"HEAVYJOBS_PROPERTY_SEED={seed} reproduces this:{Environment.NewLine}{ex.Message}");
        }
    }

    private static IEnumerable<Op[]> ShrinkPlan(Op[] plan)
    {
        for (var i = 0; i < plan.Length; i++)
        {
            yield return [.. plan.Take(i), .. plan.Skip(i + 1)];
        }
    }

    /// <summary>What a worker believes it holds: the claim's epoch and the cursor it last committed.</summary>
    private sealed record Held(long ChunkId, long Epoch, int Cursor);

    private async Task RunAsync(Op[] plan)
    {
        // Each case has its own job of a type of its own, so claims see only its chunks.
        var type = $"sm{Interlocked.Increment(ref _case)}";
        var now = _time.GetUtcNow();
        var job = (await _store.JobInsertAsync(
            new JobInsertParams("sm", [new StageDefinition("s", type, StageMode.Streaming)], "{}", Enumerable.Repeat("{}", Chunks), 0, 3, now), Ct)).JobId;
        var workers = new long[Workers];
        for (var i = 0; i < Workers; i++)
        {
            workers[i] = await _store.WorkerRegisterAsync(new WorkerRegisterParams("n", 1000 + i, [type], "1", 0, now), Ct);
        }

        var held = Enumerable.Range(0, Workers).Select(_ => new List<Held>()).ToArray();
        var ids = (await _store.ChunkListAsync(new ChunkListParams(job), Ct)).Select(c => c.Id).Order().ToArray();
        var doneSinceReset = ids.ToDictionary(id => id, _ => 0);
        var lastCursor = ids.ToDictionary(id => id, _ => 0);
        var trace = new List<string>();
        foreach (var op in plan)
        {
            trace.Add(op.ToString());
            var w = op.Who;
            long? resetToZero = null;
            switch (op.Kind)
            {
                case Kind.Claim:
                    foreach (var c in await _store.ChunkClaimAsync(new ChunkClaimParams(workers[w], [type], 1, _time.GetUtcNow(), Lease), Ct))
                    {
                        held[w].Add(new Held(c.Id, c.Epoch, CursorOf(c.Cursor)));
                    }

                    break;
                case Kind.Checkpoint or Kind.Complete when held[w].Count > 0:
                    {
                        var h = held[w][0];
                        var complete = op.Kind == Kind.Complete;
                        var to = complete ? Items : Math.Min(Items, h.Cursor + op.Step);
                        var outcome = await _store.ChunkCheckpointAsync(
                            new ChunkCheckpointParams(h.ChunkId, job, 0, h.Epoch, to.ToString(CultureInfo.InvariantCulture), new ChunkCounters(to, to, 0),
                                [.. Enumerable.Range(h.Cursor, to - h.Cursor).Select(i => new ChunkOutput($"{h.ChunkId}:{i}", "{}"))], [], complete, _time.GetUtcNow(), Lease),
                            Ct);
                        held[w].RemoveAt(0);
                        if (outcome != CheckpointOutcome.LeaseLost && !complete)
                        {
                            held[w].Insert(0, h with { Cursor = to });
                        }

                        if (outcome != CheckpointOutcome.LeaseLost && complete)
                        {
                            doneSinceReset[h.ChunkId]++;
                        }

                        break;
                    }

                case Kind.Fail when held[w].Count > 0:
                    {
                        var h = held[w][0];
                        held[w].RemoveAt(0);
                        await _store.ChunkFailAsync(new ChunkFailParams(h.ChunkId, h.Epoch, workers[w], "boom", _time.GetUtcNow(), _time.GetUtcNow()), Ct);
                        break;
                    }

                case Kind.Reset or Kind.ResetToZero:
                    {
                        var id = ids[op.Step % Chunks];
                        if (await _store.ChunkResetAsync(new ChunkResetParams(id, op.Kind == Kind.ResetToZero, "test", _time.GetUtcNow()), Ct))
                        {
                            doneSinceReset[id] = 0;
                            resetToZero = op.Kind == Kind.ResetToZero ? id : null;
                        }

                        break;
                    }

                case Kind.Cancel:
                    await _store.JobCancelAsync(new JobChangeParams(job, _time.GetUtcNow()), Ct);
                    break;
                case Kind.Expire:
                    // Every holder went silent past its lease; the manager takes the chunks back.
                    _time.Advance(Lease + TimeSpan.FromSeconds(1));
                    await _store.ChunkReclaimExpiredAsync(new ChunkReclaimExpiredParams(_time.GetUtcNow()), Ct);
                    foreach (var c in await ChunksAsync(job))
                    {
                        Assert.False(c.State == ChunkState.Running && c.LeaseExpiresAt <= _time.GetUtcNow(), $"chunk {c.Id} kept an expired lease: {string.Join(' ', trace)}");
                    }

                    break;
                case Kind.Kill:
                    // The monitor saw the worker die and takes back what it held; the worker's view is kept, so
                    // later steps of this worker are a frozen process thawed, writing with its old epochs.
                    await _store.ChunkReclaimByWorkerAsync(new ChunkReclaimByWorkerParams(workers[w], "killed", _time.GetUtcNow()), Ct);
                    foreach (var c in await ChunksAsync(job))
                    {
                        Assert.False(c.LeaseOwner == workers[w], $"chunk {c.Id} is still leased to killed worker {workers[w]}: {string.Join(' ', trace)}");
                    }

                    break;
            }

            _time.Advance(TimeSpan.FromSeconds(1));
            await CheckAsync(job, doneSinceReset, lastCursor, resetToZero, trace);
        }
    }

    private async Task CheckAsync(long job, Dictionary<long, int> doneSinceReset, Dictionary<long, int> lastCursor, long? resetToZero, List<string> trace)
    {
        var steps = string.Join(' ', trace);
        var outputs = (await _store.OutputListAsync(new OutputListParams(job), Ct)).GroupBy(o => o.ChunkId).ToDictionary(g => g.Key, g => g.Select(o => o.Key).ToList());
        foreach (var c in await ChunksAsync(job))
        {
            Assert.True(doneSinceReset[c.Id] <= 1, $"chunk {c.Id} was completed {doneSinceReset[c.Id]} times without a reset: {steps}");
            var cursor = CursorOf(c.Cursor);
            Assert.True(cursor >= lastCursor[c.Id] || resetToZero == c.Id, $"chunk {c.Id}'s cursor went back from {lastCursor[c.Id]} to {cursor}: {steps}");
            lastCursor[c.Id] = cursor;
            Assert.True(c.Counters == new ChunkCounters(cursor, cursor, 0), $"chunk {c.Id} counts {c.Counters} at cursor {cursor}: {steps}");
            var keys = outputs.GetValueOrDefault(c.Id) ?? [];
            Assert.True(
                keys.Order().SequenceEqual(Enumerable.Range(0, cursor).Select(i => $"{c.Id}:{i}").Order()),
                $"chunk {c.Id} at cursor {cursor} has outputs [{string.Join(',', keys)}]: {steps}");
            Assert.True(c.State != ChunkState.Done || cursor == Items, $"chunk {c.Id} is done at cursor {cursor}: {steps}");
            Assert.True(c.State == ChunkState.Running == (c.LeaseOwner is not null), $"chunk {c.Id} is {c.State} with lease owner {c.LeaseOwner}: {steps}");
        }
    }

    private async Task<IReadOnlyList<ChunkRow>> ChunksAsync(long job) => await _store.ChunkListAsync(new ChunkListParams(job), Ct);

    private static int CursorOf(string? cursor) => cursor is null ? 0 : int.Parse(cursor, CultureInfo.InvariantCulture);
}
