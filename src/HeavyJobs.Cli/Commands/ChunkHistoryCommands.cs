using System.CommandLine;
using System.Globalization;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;

namespace HeavyJobs.Cli.Commands;

/// <summary>`chunks history` and `chunks rewind`: who held a chunk, from where to where, and going back to a kept checkpoint.</summary>
internal static class ChunkHistoryCommands
{
    public static Command History(CliApp app)
    {
        var id = new Argument<long>("chunk") { Description = "The chunk id (see heavyjobs status --job ID)." };
        var history = new Command("history", "Show a chunk's holders (worker, machine, cursor range, start, end, how it ended) and its kept checkpoints.") { id };
        history.SetAction((parse, ct) => app.GuardAsync(
            parse,
            async store =>
            {
                var chunk = parse.GetValue(id);
                var h = await store.ChunkHistoryAsync(chunk, ct) ?? throw new UserError($"chunk {chunk} does not exist");
                Console.WriteLine($"chunk {chunk} of job {h.JobId}: {h.Holds.Count} holder(s)");
                Console.WriteLine("  worker  machine           from -> to                       started                  ended                    how");
                foreach (var hold in h.Holds)
                {
                    Console.WriteLine(
                        $"  {hold.WorkerId,-7} {hold.Node ?? "?",-17} {Cursor(hold.FromCursor)} -> {Cursor(hold.ToCursor),-20} {Time(hold.StartedAt),-24} {Time(hold.EndedAt),-24} {hold.Ended}{(string.IsNullOrEmpty(hold.Reason) ? "" : $" ({hold.Reason})")}");
                }

                Console.WriteLine($"kept checkpoints (newest first; heavyjobs chunks rewind {chunk} --to N):");
                foreach (var c in h.Checkpoints)
                {
                    Console.WriteLine($"  #{c.Number,-5} cursor {Cursor(c.Cursor),-20} done {c.Counters.Done} good {c.Counters.Good} bad {c.Counters.Bad}  at {Time(c.At)}");
                }

                return 0;
            },
            ct));
        return history;
    }

    public static Command Rewind(CliApp app)
    {
        var id = new Argument<long>("chunk") { Description = "The chunk id (see heavyjobs status --job ID)." };
        var to = new Option<string>("--to")
        {
            Description = "A kept checkpoint: its number (N or #N; 0 is the start) or its cursor (cursor=VALUE, or VALUE when it is no number); see heavyjobs chunks history ID.",
            Required = true,
        };
        var rewind = new Command("rewind", "Rewind a chunk to a kept checkpoint: the outputs written after it are removed, its holder (if any) can commit nothing more.") { id, to };
        rewind.SetAction((parse, ct) => app.GuardAsync(
            parse,
            async store =>
            {
                var chunk = parse.GetValue(id);
                var number = await ResolveAsync(store, chunk, parse.GetValue(to)!, ct);
                var actor = $"cli:{Environment.UserName}";
                var now = app.Time.GetUtcNow();
                var rewound = await store.ChunkRewindAsync(new ChunkRewindParams(chunk, number, actor, now, new ActionInsertParams(actor, ActionKinds.Reset, "chunk rewound", now)), ct)
                    ?? throw new UserError($"chunk {chunk} was not rewound: it, or its checkpoint {number}, is gone, or its job was cancelled");
                Console.WriteLine($"chunk {chunk} rewound {rewound.Describe()}");
                return 0;
            },
            ct));
        return rewind;
    }

    private static async Task<long> ResolveAsync(IHeavyStore store, long chunk, string to, CancellationToken ct)
    {
        var history = await store.ChunkHistoryAsync(chunk, ct) ?? throw new UserError($"chunk {chunk} does not exist");
        return history.Resolve(to)
            ?? throw new UserError($"chunk {chunk} keeps no checkpoint '{to}' (heavyjobs chunks history {chunk} lists them; a cursor that is a number is given as cursor=VALUE)");
    }

    private static string Cursor(string? cursor) => cursor ?? "(start)";

    private static string Time(DateTimeOffset? at) => at?.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-";
}
