using System.Diagnostics;
using System.Globalization;
using HeavyJobs.Core.Handlers;
using HeavyJobs.Runtime.Protocol;
using Microsoft.Data.Sqlite;

namespace HeavyJobs.TestHost;

public static class TestHandlers
{
    public const string Count = "test.count";
    public const string Hang = "test.hang";
    public const string Poison = "test.poison";
    public const string Boom = "test.boom";
    public const string Quick = "test.quick";
    public const string Stubborn = "test.stubborn";
    public const string Relay = "test.relay";

    /// <summary>A file that, beside this executable, makes every worker it would start fail at start.</summary>
    public const string FailWorkersFile = "fail-workers";

    /// <summary>A build stamped with this file cannot start its monitor (a deploy test's release that never comes up).</summary>
    public const string FailMonitorFile = "fail-monitor";

    public const string Chaos = "test.chaos";

    public const string FreezeLocked = "test.freeze-locked";
}

/// <summary>Items start..end-1, one output each ("item-n"), a checkpoint every "every" items, "sleepMs" per item.</summary>
public sealed class CountHandler : IChunkHandler
{
    public async ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken)
    {
        var end = context.Input.GetProperty("end").GetInt64();
        var every = context.Parameters.TryGetProperty("every", out var e) ? e.GetInt64() : 10;
        var sleep = context.Parameters.TryGetProperty("sleepMs", out var s) ? s.GetInt32() : 0;
        var next = context.Cursor is { } c ? long.Parse(c, CultureInfo.InvariantCulture) : context.Input.GetProperty("start").GetInt64();
        while (next < end)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (sleep > 0)
            {
                await Task.Delay(sleep, cancellationToken);
            }

            context.Output($"item-{next}", "1");
            context.Add(1, good: 1);
            next++;
            if (next % every == 0 || next == end)
            {
                await context.CheckpointAsync(next.ToString(CultureInfo.InvariantCulture), cancellationToken);
            }
        }
    }
}

/// <summary>An endless loop that never checkpoints and ignores its cancellation token.</summary>
public sealed class HangHandler : IChunkHandler
{
    public ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken)
    {
        // Blocks this thread for good without burning a core; nothing ever sets the event.
        using var never = new ManualResetEventSlim();
        never.Wait(Timeout.Infinite, CancellationToken.None);
        return ValueTask.CompletedTask;
    }
}

/// <summary>Kills its own process: a chunk that kills every worker that takes it.</summary>
public sealed class PoisonHandler : IChunkHandler
{
    public ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken)
    {
        Console.Error.WriteLine($"poison: chunk {context.ChunkId} kills this worker");
        Environment.Exit(70);
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// One item per chunk, no checkpoint: quick enough that the worker claims ahead. A chunk whose input says
/// "poison" SIGKILLs its own process the moment it starts, leaving no chance to report or clean up.
/// </summary>
public sealed class QuickHandler : IChunkHandler
{
    public ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken)
    {
        var n = context.Input.GetProperty("n").GetInt64();
        if (context.Input.TryGetProperty("poison", out var poison) && poison.GetBoolean())
        {
            Console.Error.WriteLine($"poison: chunk {context.ChunkId} kills this worker");
            using var self = Process.GetCurrentProcess();
            self.Kill();
        }

        context.Output($"item-{n}", "1");
        context.Add(1, good: 1);
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// <see cref="CountHandler"/>'s work on a foreground thread that never looks at its cancellation token and
/// shrugs off failed checkpoints, as a handler stuck in a native call would: nothing but a kill ends the process.
/// </summary>
public sealed class StubbornHandler : IChunkHandler
{
    public async ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken)
    {
        var end = context.Input.GetProperty("end").GetInt64();
        var every = context.Parameters.TryGetProperty("every", out var e) ? e.GetInt64() : 10;
        var sleep = context.Parameters.TryGetProperty("sleepMs", out var s) ? s.GetInt32() : 0;
        var next = context.Cursor is { } c ? long.Parse(c, CultureInfo.InvariantCulture) : context.Input.GetProperty("start").GetInt64();
        var done = new TaskCompletionSource();
        var thread = new Thread(() =>
        {
            while (next < end)
            {
                Thread.Sleep(sleep);
                context.Output($"item-{next}", "1");
                context.Add(1, good: 1);
                next++;
                if (next % every == 0 || next == end)
                {
                    try
                    {
                        context.CheckpointAsync(next.ToString(CultureInfo.InvariantCulture), CancellationToken.None).AsTask().GetAwaiter().GetResult();
                    }
                    catch (Exception ex)
                    {
                        Console.Error.WriteLine($"stubborn: checkpoint failed ({ex.GetType().Name}); going on regardless");
                    }
                }
            }

            done.SetResult();
        })
        { IsBackground = false };
        thread.Start();
        await done.Task;
    }
}

/// <summary>
/// The first stage of a two-stage pipeline: items start..end-1, one output each ("seen-n"), and with each checkpoint
/// a chunk of the items since the previous one for the next stage (a <see cref="CountHandler"/> range), deduplicated
/// by its range so a rerun from the checkpoint emits nothing twice.
/// </summary>
public sealed class RelayHandler : IChunkHandler
{
    public async ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken)
    {
        var end = context.Input.GetProperty("end").GetInt64();
        var every = context.Parameters.TryGetProperty("every", out var e) ? e.GetInt64() : 10;
        var sleep = context.Parameters.TryGetProperty("sleepMs", out var s) ? s.GetInt32() : 0;
        var next = context.Cursor is { } c ? long.Parse(c, CultureInfo.InvariantCulture) : context.Input.GetProperty("start").GetInt64();
        var from = next;
        while (next < end)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (sleep > 0)
            {
                await Task.Delay(sleep, cancellationToken);
            }

            context.Output($"seen-{next}", "1");
            context.Add(1, good: 1);
            next++;
            if (next % every == 0 || next == end)
            {
                context.Emit(new Core.Model.EmittedChunk(context.Stage + 1, TestHandlers.Count, $$"""{"start":{{from}},"end":{{next}}}""", $"relay:{from}-{next}"));
                await context.CheckpointAsync(next.ToString(CultureInfo.InvariantCulture), cancellationToken);
                from = next;
            }
        }
    }
}

/// <summary>
/// <see cref="CountHandler"/>'s work until item "freezeAt" (when it starts below it), where it opens the SQLite
/// database its monitor gave it, takes its write lock and stops its own process (SIGSTOP): a worker frozen inside a
/// write transaction, which holds every writer of the machine, the monitor's included, until it is killed.
/// </summary>
public sealed class FreezeLockedHandler : IChunkHandler
{
    public async ValueTask RunAsync(IChunkContext context, CancellationToken cancellationToken)
    {
        var end = context.Input.GetProperty("end").GetInt64();
        var freezeAt = context.Parameters.GetProperty("freezeAt").GetInt64();
        var next = context.Cursor is { } c ? long.Parse(c, CultureInfo.InvariantCulture) : context.Input.GetProperty("start").GetInt64();
        var freeze = next < freezeAt;
        while (next < end)
        {
            await Task.Delay(10, cancellationToken);
            context.Output($"item-{next}", "1");
            context.Add(1, good: 1);
            next++;
            if (next % 10 == 0 || next == end)
            {
                await context.CheckpointAsync(next.ToString(CultureInfo.InvariantCulture), cancellationToken);
            }

            if (freeze && next == freezeAt)
            {
                var db = Environment.GetEnvironmentVariable(WorkerEnvironment.Db) ?? throw new InvalidOperationException("no database given");
                await using var held = new SqliteConnection($"Data Source={db};Pooling=False");
                await held.OpenAsync(cancellationToken);
                await using var begin = held.CreateCommand();
                begin.CommandText = "BEGIN IMMEDIATE";
                await begin.ExecuteNonQueryAsync(cancellationToken);
                await Console.Error.WriteLineAsync($"freeze-locked: pid {Environment.ProcessId} holds the database's write lock and stops itself");
                using var stop = Process.Start("kill", ["-STOP", Environment.ProcessId.ToString(CultureInfo.InvariantCulture)]);
                await stop.WaitForExitAsync(CancellationToken.None);
            }
        }
    }
}
