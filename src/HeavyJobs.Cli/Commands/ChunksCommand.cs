using System.CommandLine;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;

namespace HeavyJobs.Cli.Commands;

internal static class ChunksCommand
{
    public static Command Create(CliApp app)
    {
        var id = new Argument<long>("chunk") { Description = "The chunk id (see heavyjobs status --job ID)." };
        var to = new Option<string>("--to")
        {
            Description = "zero: clear its progress and outputs and run it from the start; checkpoint: keep its progress and only free it.",
            DefaultValueFactory = _ => "zero",
        };
        to.AcceptOnlyFromAmong("zero", "checkpoint");
        var reset = new Command("reset", "Reset a chunk (its holder, if any, can commit nothing more).") { id, to };
        reset.SetAction((parse, ct) => app.GuardAsync(
            parse,
            async store =>
            {
                var chunk = parse.GetValue(id);
                var toZero = parse.GetValue(to) == "zero";
                var actor = $"cli:{Environment.UserName}";
                var now = app.Time.GetUtcNow();
                var log = new ActionInsertParams(actor, ActionKinds.Reset, $"chunk reset to {(toZero ? "zero" : "its last checkpoint")}", now);
                if (!await store.ChunkResetAsync(new ChunkResetParams(chunk, toZero, actor, now, log), ct))
                {
                    throw new UserError($"chunk {chunk} does not exist or its job was cancelled");
                }

                Console.WriteLine($"chunk {chunk} reset to {(toZero ? "zero" : "its last checkpoint")}");
                return 0;
            },
            ct));
        var releaseId = new Argument<long>("chunk") { Description = "The quarantined chunk's id (see heavyjobs status --job ID)." };
        var release = new Command("release", "Let a quarantined chunk run again from its last checkpoint, its count of deaths cleared.") { releaseId };
        release.SetAction((parse, ct) => app.GuardAsync(
            parse,
            async store =>
            {
                var chunk = parse.GetValue(releaseId);
                var row = await store.ChunkGetAsync(chunk, ct) ?? throw new UserError($"chunk {chunk} does not exist");
                if (row.State != ChunkState.Quarantined)
                {
                    throw new UserError($"chunk {chunk} is {row.State.ToDb()}, not quarantined (heavyjobs chunks reset frees any chunk)");
                }

                var actor = $"cli:{Environment.UserName}";
                var now = app.Time.GetUtcNow();
                var log = new ActionInsertParams(actor, ActionKinds.Release, "chunk released from quarantine at its last checkpoint", now);
                if (!await store.ChunkResetAsync(new ChunkResetParams(chunk, ToZero: false, actor, now, log), ct))
                {
                    throw new UserError($"chunk {chunk} was not released: its job was cancelled");
                }

                Console.WriteLine($"chunk {chunk} released from quarantine; it runs again from its last checkpoint");
                return 0;
            },
            ct));
        return new Command("chunks", "Act on chunks.") { reset, release, ChunkHistoryCommands.History(app), ChunkHistoryCommands.Rewind(app) };
    }
}
