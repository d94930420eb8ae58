using System.Globalization;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Handlers;
using HeavyJobs.Core.Model;
using HeavyJobs.Runtime.Jobs;
using HeavyJobs.Runtime.Worker;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Microsoft.FSharp.Core;

namespace HeavyJobs.Runtime.Tests.Worker;

/// <summary>
/// Exactly once on every path: whatever a handler does (outputs, checkpoints, stops after which it returns or
/// throws, failures, kills), what is committed is exactly the work of the items below the committed cursor,
/// after every run and at the end. Real SQLite store, real workers; kills are frozen workers whose chunk the
/// test reclaims as a monitor does, and whose late writes must then be refused.
/// Reproduce a failure with <c>HEAVYJOBS_PROPERTY_SEED=&lt;seed&gt;</c> (printed with it); more cases with
/// <c>HEAVYJOBS_PROPERTY_CASES</c>.
/// </summary>
public sealed class ExactlyOnceProperties : IAsyncLifetime
{
    private const int DefaultCases = 100;
    private const int MostKills = ChunkDefaults.QuarantineAfter - 1;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "heavyjobs-tests", Guid.NewGuid().ToString("N"));
    private readonly Script _script;
    private readonly HandlerRegistry _registry;
    private SqliteStore _store = null!;

    public ExactlyOnceProperties()
    {
        _script = new Script(_time);
        _registry = HandlerRegistry.CreateBuilder().Add("scripted", () => new ScriptedHandler(_script)).Build();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _store = new SqliteStore(Path.Combine(_dir, "p.db"), new SqliteStoreOptions { Synchronous = "NORMAL" }, _time);
        await _store.MigrateAsync(Ct);
    }

    public async ValueTask DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task AnyRunOfOutputsCheckpointsStopsReturnsThrowsAndKills_CommitsExactlyTheItemsBelowTheCursor()
    {
        var seed = ulong.TryParse(Environment.GetEnvironmentVariable("HEAVYJOBS_PROPERTY_SEED"), CultureInfo.InvariantCulture, out var s) ? s : (ulong)Random.Shared.NextInt64();
        var cases = int.TryParse(Environment.GetEnvironmentVariable("HEAVYJOBS_PROPERTY_CASES"), CultureInfo.InvariantCulture, out var n) ? n : DefaultCases;
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(cases)
            .WithQuietOnSuccess(true)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed), FSharpOption<int>.None)));
        // Each case blocks its thread on the workers it runs: off the test's own context.
        var property = Prop.ForAll(Plans(), plan => Task.Run(() => RunCaseAsync(plan), Ct).GetAwaiter().GetResult());
        try
        {
            await Task.Run(() => Check.One(config, property), Ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"HEAVYJOBS_PROPERTY_SEED={seed} reproduces this:{Environment.NewLine}{ex.Message}");
        }
    }

    /// <summary>Plans of 1 to 8 items and up to 30 steps, at most two kills (a third would quarantine the chunk).</summary>
    private static Arbitrary<Plan> Plans()
    {
        var step = Gen.Frequency(
            (8, Gen.Constant(Step.Process)),
            (4, Gen.Constant(Step.Checkpoint)),
            (2, Gen.Constant(Step.Pause)),
            (1, Gen.Constant(Step.StopThenReturn)),
            (1, Gen.Constant(Step.StopThenThrow)),
            (1, Gen.Constant(Step.Throw)),
            (1, Gen.Constant(Step.Kill)));
        var plans =
            from items in Gen.Choose(1, 8)
            from writeBehind in Gen.Elements(true, false)
            from length in Gen.Choose(0, 30)
            from steps in Gen.ArrayOf(step, length)
            select new Plan(items, writeBehind, AtMostKills(steps));
        return Arb.From(plans, Shrink);
    }

    private static Step[] AtMostKills(Step[] steps)
    {
        var kills = 0;
        return [.. steps.Select(s => s == Step.Kill && ++kills > MostKills ? Step.Throw : s)];
    }

    /// <summary>Fewer items, then one step fewer: a failure shrinks to the few steps that make it.</summary>
    private static IEnumerable<Plan> Shrink(Plan plan)
    {
        if (plan.Items > 1)
        {
            yield return plan with { Items = plan.Items - 1 };
        }

        for (var i = 0; i < plan.Steps.Count; i++)
        {
            yield return plan with { Steps = [.. plan.Steps.Take(i), .. plan.Steps.Skip(i + 1)] };
        }
    }

    private async Task RunCaseAsync(Plan plan)
    {
        _script.Begin(plan);
        var job = await SubmitAsync(plan.Items);
        var chunkId = Assert.Single(await _store.ChunkListAsync(new ChunkListParams(job), Ct)).Id;
        var frozen = new List<(Task Run, CancellationTokenSource Stop)>();
        try
        {
            for (var run = 0; ; run++)
            {
                Assert.True(run <= plan.Steps.Count, $"the chunk was not done after {run} runs");
                var (host, running, stop) = Start(plan.WriteBehind);
                var end = await _script.NextEndAsync(Ct);
                switch (end)
                {
                    case RunEnd.Finished:
                        await UntilAsync(host, async () => (await _store.ChunkGetAsync(chunkId, Ct))!.State == ChunkState.Done);
                        await StopAsync(running, stop);
                        await AssertDoneAsync(job, chunkId, plan.Items, "when it finished");
                        break;
                    case RunEnd.StopAsked or RunEnd.Threw:
                        await StopAsync(running, stop);
                        await AssertCommittedBelowCursorAsync(job, chunkId, $"after run {run} ({end})");
                        // A failed attempt comes due after its back-off (10 minutes at most).
                        _time.Advance(TimeSpan.FromMinutes(11));
                        continue;
                    case RunEnd.Killed:
                        var holder = (await _store.ChunkGetAsync(chunkId, Ct))!.LeaseOwner!.Value;
                        var reclaimed = await _store.ChunkReclaimByWorkerAsync(new ChunkReclaimByWorkerParams(holder, "killed", _time.GetUtcNow(), Running: [chunkId]), Ct);
                        Assert.Equal(chunkId, Assert.Single(reclaimed).ChunkId);
                        frozen.Add((running, stop));
                        await AssertCommittedBelowCursorAsync(job, chunkId, $"after run {run} (killed)");
                        continue;
                }

                break;
            }
        }
        finally
        {
            // The frozen workers wake and try to write what they held: every such write must be refused.
            foreach (var (running, stop) in frozen)
            {
                await StopAsync(running, stop);
            }

            // A case that failed leaves its chunk unfinished: the cases shrinking it must not run it.
            await _store.JobCancelAsync(new JobChangeParams(job, _time.GetUtcNow()), Ct);
        }

        await AssertDoneAsync(job, chunkId, plan.Items, "once the killed workers woke up");
    }

    private async Task AssertCommittedBelowCursorAsync(long job, long chunkId, string when)
    {
        var chunk = (await _store.ChunkGetAsync(chunkId, Ct))!;
        Assert.True(chunk.State == ChunkState.Pending, $"{when}: the chunk is {chunk.State}, not pending");
        var below = chunk.Cursor is { } c ? int.Parse(c, CultureInfo.InvariantCulture) : 0;
        await AssertCommittedAsync(job, chunk, below, when);
    }

    private async Task AssertDoneAsync(long job, long chunkId, int items, string when)
    {
        var chunk = (await _store.ChunkGetAsync(chunkId, Ct))!;
        Assert.True(chunk.State == ChunkState.Done, $"{when}: the chunk is {chunk.State}, not done");
        await AssertCommittedAsync(job, chunk, items, when);
    }

    /// <summary>Exactly items 0..<paramref name="below"/>-1: one output each, and counted once each.</summary>
    private async Task AssertCommittedAsync(long job, ChunkRow chunk, int below, string when)
    {
        var outputs = (await _store.OutputListAsync(new OutputListParams(job), Ct)).Select(o => o.Key).Order(StringComparer.Ordinal).ToList();
        var expected = Enumerable.Range(0, below).Select(i => Script.Key(i)).ToList();
        Assert.True(
            expected.SequenceEqual(outputs),
            $"{when}: at cursor {chunk.Cursor ?? "(start)"} the outputs should be [{string.Join(", ", expected)}] but are [{string.Join(", ", outputs)}]");
        Assert.True(
            new ChunkCounters(below, below, 0) == chunk.Counters,
            $"{when}: at cursor {chunk.Cursor ?? "(start)"} the counters should be {below} items but are {chunk.Counters}");
    }

    private (TestWorkerHost Host, Task Run, CancellationTokenSource Stop) Start(bool writeBehind)
    {
        var host = new TestWorkerHost(_store, _time);
        var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var options = new WorkerOptions { Concurrency = 1, WriteBehindUnder = writeBehind ? WorkerDefaults.WriteBehindUnder : TimeSpan.Zero };
        var worker = new ChunkWorker(_store, _registry, host, options, _time, NullLoggerFactory.Instance);
        return (host, Task.Run(() => worker.RunAsync(stop.Token), Ct), stop);
    }

    private static async Task StopAsync(Task run, CancellationTokenSource stop)
    {
        await stop.CancelAsync();
        await run;
        stop.Dispose();
    }

    /// <summary>Waits for the worker to go to sleep until the condition holds (as in <see cref="ChunkWorkerTests"/>).</summary>
    private static async Task UntilAsync(TestWorkerHost host, Func<Task<bool>> condition)
    {
        while (!await condition())
        {
            var asleep = host.AsleepAsync(Ct);
            await Task.WhenAny(asleep, Task.Delay(TimeSpan.FromMilliseconds(20), Ct));
        }
    }

    private async Task<long> SubmitAsync(int items)
    {
        var definition = new JobDefinition(
            "scripted",
            [new StageDefinition("main", "scripted", StageMode.Streaming)],
            JsonSerializer.SerializeToElement(new { }),
            new ChunkSplit.Range(0, items, items),
            0,
            100);
        return (await JobSubmitter.SubmitAsync(_store, _registry, definition, "test", _dir, _time, Ct)).JobId;
    }
}
