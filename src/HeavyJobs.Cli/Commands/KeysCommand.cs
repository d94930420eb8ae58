using System.CommandLine;
using System.Globalization;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Runtime.Jobs;
using HeavyJobs.Storage.KeySets;
using Spectre.Console;

namespace HeavyJobs.Cli.Commands;

/// <summary>Key sets: the lists (domains, URLs, ids) that refresh jobs are cut from, loaded once.</summary>
internal static class KeysCommand
{
    public static Command Create(CliApp app)
    {
        var set = new Argument<string>("set") { Description = "The key set's name, e.g. domains." };
        var file = new Argument<string>("file") { Description = "One key per line; blank lines and lines starting with # are skipped." };
        var load = new Command("load", "Add the keys of a file to a key set (keys already there keep their refresh time).") { set, file };
        load.SetAction((parse, ct) => app.GuardAsync(parse, async store =>
        {
            var path = parse.GetValue(file)!;
            var keys = ChunkSplitter.KeyLines(await File.ReadAllLinesAsync(path, ct));
            var added = await store.KeySetLoadAsync(new KeySetLoadParams(parse.GetValue(set)!, keys, app.Time.GetUtcNow()), ct);
            Console.WriteLine($"{added} new keys in set '{parse.GetValue(set)}'");
            return 0;
        }, ct));

        var one = new Argument<string?>("set") { Description = "Only this set.", Arity = ArgumentArity.ZeroOrOne };
        var olderThan = new Option<string>("--older-than") { Description = "Where stale begins, as in 7d, 12h or 30m.", DefaultValueFactory = _ => "7d" };
        var status = new Command("status", "How many keys each set holds, how many were never refreshed and how many are stale.") { one, olderThan };
        status.SetAction((parse, ct) => app.GuardAsync(parse, async store =>
        {
            var text = parse.GetValue(olderThan);
            if (!Durations.TryParse(text, out var age))
            {
                throw new UserError($"--older-than: a whole number and a unit (s, m, h or d), as in 7d (got '{text}')");
            }

            var table = new Table().AddColumns("Set", "Keys", "Never refreshed", $"Older than {Markup.Escape(text!)}", "Oldest refresh (UTC)", "Newest refresh (UTC)");
            foreach (var s in await store.KeySetStatusAsync(new KeySetStatusParams(app.Time.GetUtcNow() - age, parse.GetValue(one)), ct))
            {
                table.AddRow(
                    Markup.Escape(s.Set), N(s.Total), N(s.NeverRefreshed), N(s.Stale),
                    s.OldestRefresh?.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-",
                    s.NewestRefresh?.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-");
            }

            AnsiConsole.Write(table);
            return 0;
        }, ct));

        return new Command("keys", "Key sets that refresh jobs (split: staleKeys) are cut from.") { load, status };
    }

    private static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
