using System.CommandLine;
using System.Globalization;
using System.Text;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Aggregates;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Whois.Pipeline;
using Spectre.Console;

namespace HeavyJobs.Cli.Commands;

/// <summary>Reads the aggregates a WHOIS refresh job produced, as tables or CSV files.</summary>
internal static class WhoisAggregatesCommand
{
    public static Command Create(CliApp app)
    {
        var job = new Option<long?>("--job") { Description = "The refresh job (default: the latest completed one with an aggregate stage)." };
        var csv = new Option<string?>("--csv") { Description = "Write one CSV file per dimension into this folder." };
        var top = new Option<int>("--top") { Description = "Rows per dimension on screen.", DefaultValueFactory = _ => 10 };
        var command = new Command("aggregates", "Domains per registrar, expiries per month, name-server providers, statuses, TLDs, not-found and error counts.") { job, csv, top };
        command.SetAction((parse, ct) => app.GuardAsync(
            parse,
            async store =>
            {
                var id = parse.GetValue(job) ?? await LatestAsync(store, ct) ?? throw new UserError("no WHOIS job with aggregates yet");
                var rows = await ReadAsync(store, id, ct);
                if (rows.Count == 0)
                {
                    throw new UserError($"job {id} has no aggregates (is its aggregate stage done?)");
                }

                if (parse.GetValue(csv) is { } dir)
                {
                    Directory.CreateDirectory(dir);
                    foreach (var group in rows.GroupBy(r => r.Dimension))
                    {
                        var text = new StringBuilder($"{group.Key},count\n");
                        foreach (var (_, value, count) in group.OrderByDescending(r => r.Count))
                        {
                            text.Append(CultureInfo.InvariantCulture, $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\",{count}\n");
                        }

                        await File.WriteAllTextAsync(Path.Combine(dir, $"{group.Key}.csv"), text.ToString(), ct);
                    }

                    Console.WriteLine($"job {id}: {rows.Select(r => r.Dimension).Distinct().Count()} CSV files written to {Path.GetFullPath(dir)}");
                    return 0;
                }

                Render(id, rows, parse.GetValue(top));
                return 0;
            },
            ct));
        return command;
    }

    /// <summary>The aggregate stage's counts, read as the dashboard reads them (<see cref="JobAggregates"/>).</summary>
    public static async Task<List<(string Dimension, string Value, long Count)>> ReadAsync(IHeavyStore store, long jobId, CancellationToken ct)
    {
        var job = await store.JobGetAsync(jobId, ct) ?? throw new UserError($"no job {jobId}");
        var stage = job.Stages.ToList().FindIndex(s => s.Type == WhoisPipeline.Aggregate);
        if (stage < 0)
        {
            throw new UserError($"job {jobId} has no {WhoisPipeline.Aggregate} stage");
        }

        var set = await JobAggregates.ReadAsync(store, jobId, stage, ct) ?? throw new UserError($"no job {jobId}");
        return set.Rows.Select(r => (r.Dimension, r.Value, r.Count)).ToList();
    }

    public static void Render(long jobId, List<(string Dimension, string Value, long Count)> rows, int top)
    {
        AnsiConsole.MarkupLine($"[bold]Aggregates of job {jobId}[/]");
        foreach (var group in rows.GroupBy(r => r.Dimension).OrderBy(g => g.Key == AggregateHandler.Summary ? 0 : 1).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            var table = new Table().Title(Markup.Escape(group.Key)).AddColumns(group.Key, "count");
            foreach (var (_, value, count) in group.OrderByDescending(r => r.Count).Take(top))
            {
                table.AddRow(Markup.Escape(value), count.ToString("N0", CultureInfo.InvariantCulture));
            }

            AnsiConsole.Write(table);
        }
    }

    private static async Task<long?> LatestAsync(IHeavyStore store, CancellationToken ct) =>
        (await store.JobListAsync(new JobListParams(Limit: 1000), ct))
            .Where(j => j.Job.Stages.Any(s => s.Type == WhoisPipeline.Aggregate) && j.Job.State == JobState.Completed)
            .Select(j => (long?)j.Job.Id)
            .FirstOrDefault();
}
