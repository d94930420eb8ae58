using System.CommandLine;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Runtime.Manager;
using HeavyJobs.Storage.Retention;

namespace HeavyJobs.Cli.Commands;

/// <summary><c>heavyjobs prune</c>: what the manager's prune does on its schedule, now; <c>--dry-run</c> counts only.</summary>
internal static class PruneCommand
{
    public static Command Create(CliApp app)
    {
        var defaults = new RetentionOptions();
        var dryRun = new Option<bool>("--dry-run") { Description = "Count what would be removed; remove nothing." };
        var jobs = Age("--finished-jobs", "finished jobs' chunks and earlier stages' outputs", defaults.FinishedJobs);
        var actions = Age("--actions", "action-log rows", defaults.Actions);
        var throughput = Age("--throughput-minutes", "per-minute throughput (once rolled up)", defaults.ThroughputMinutes);
        var workers = Age("--exited-workers", "exited workers' rows", defaults.ExitedWorkers);
        var commands = Age("--taken-commands", "commands a monitor took", defaults.TakenCommands);
        var batch = new Option<int>("--batch") { Description = "The most rows one statement deletes.", DefaultValueFactory = _ => defaults.Batch };
        var command = new Command("prune", "Remove history older than its retention, in small batches (the manager does it every hour).")
        {
            dryRun, jobs, actions, throughput, workers, commands, batch,
        };
        command.SetAction((parse, ct) => app.GuardAsync(parse, async store =>
        {
            var options = new RetentionOptions
            {
                FinishedJobs = Parse(parse, jobs),
                Actions = Parse(parse, actions),
                ThroughputMinutes = Parse(parse, throughput),
                ExitedWorkers = Parse(parse, workers),
                TakenCommands = Parse(parse, commands),
                Batch = Math.Max(1, parse.GetValue(batch)),
            };
            var counts = parse.GetValue(dryRun)
                ? await store.PruneCountAsync(options.At(app.Time.GetUtcNow()), ct)
                : await Pruner.RunAsync(store, options, "cli", app.Time, ct);
            Print(counts, parse.GetValue(dryRun) ? "would remove" : "removed");
            return 0;
        }, ct));
        return command;
    }

    private static Option<string> Age(string name, string what, TimeSpan keep) =>
        new(name) { Description = $"Keep {what} this long, as in 7d or 12h.", DefaultValueFactory = _ => Durations.Format(keep) };

    private static TimeSpan Parse(ParseResult parse, Option<string> option) =>
        Durations.TryParse(parse.GetValue(option), out var age) && age > TimeSpan.Zero
            ? age
            : throw new UserError($"{option.Name}: a whole number and a unit (s, m, h or d), as in 7d (got '{parse.GetValue(option)}')");

    private static void Print(PruneCounts c, string verb)
    {
        Console.WriteLine($"{verb}:");
        Console.WriteLine($"  finished jobs        {c.Jobs,12:N0}  (their counts and last stage's outputs are kept)");
        Console.WriteLine($"  chunks               {c.Chunks,12:N0}");
        Console.WriteLine($"  outputs              {c.Outputs,12:N0}");
        Console.WriteLine($"  actions              {c.Actions,12:N0}");
        Console.WriteLine($"  throughput minutes   {c.ThroughputMinutes,12:N0}");
        Console.WriteLine($"  exited workers       {c.Workers,12:N0}");
        Console.WriteLine($"  taken commands       {c.Commands,12:N0}");
    }
}
