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
                if (parse.GetValue(csv) is { } dir)
                {
                    var stage = await StageAsync(store, id, ct);
                    var byDimension = new Dictionary<string, List<AggregateRow>>(StringComparer.Ordinal);
                    await foreach (var row in JobAggregates.ReadRowsAsync(store, id, stage, ct))
                    {
                        if (row is not null)
                        {
                            (byDimension.TryGetValue(row.Dimension, out var rows) ? rows : byDimension[row.Dimension] = []).Add(row);
                        }
                    }

                    if (byDimension.Count == 0)
                    {
                        throw NoAggregates(id);
                    }

                    Directory.CreateDirectory(dir);
                    foreach (var (dimension, rows) in byDimension)
                    {
                        var text = new StringBuilder($"{dimension},count\n");
                        foreach (var row in rows.OrderByDescending(r => r.Count).ThenBy(r => r.Value, StringComparer.Ordinal))
                        {
                            text.Append(CultureInfo.InvariantCulture, $"\"{row.Value.Replace("\"", "\"\"", StringComparison.Ordinal)}\",{row.Count}\n");
                        }

                        await File.WriteAllTextAsync(Path.Combine(dir, $"{dimension}.csv"), text.ToString(), ct);
                    }

                    Console.WriteLine($"job {id}: {byDimension.Count} CSV files written to {Path.GetFullPath(dir)}");
                    return 0;
                }

                await ShowAsync(store, id, parse.GetValue(top), ct);
                return 0;
            },
            ct));
        return command;
    }

    /// <summary>
    /// Prints the aggregate stage's counts, read as the dashboard reads them (<see cref="JobAggregates"/>): every
    /// dimension, the summary first, each with its <paramref name="top"/> largest values.
    /// </summary>
    public static async Task ShowAsync(IHeavyStore store, long jobId, int top, CancellationToken ct)
    {
        var set = await JobAggregates.ReadAsync(store, jobId, await StageAsync(store, jobId, ct), Math.Max(top, 0), ct)
            ?? throw new UserError($"no job {jobId}");
        if (set.Dimensions.Count == 0)
        {
            throw NoAggregates(jobId);
        }

        AnsiConsole.MarkupLine($"[bold]Aggregates of job {jobId}[/]");
        foreach (var dimension in set.Dimensions)
        {
            var table = new Table().Title(Markup.Escape(dimension.Name)).AddColumns(dimension.Name, "count");
            foreach (var row in dimension.Largest)
            {
                table.AddRow(Markup.Escape(row.Value), row.Count.ToString("N0", CultureInfo.InvariantCulture));
            }

            AnsiConsole.Write(table);
        }
    }

    private static async Task<int> StageAsync(IHeavyStore store, long jobId, CancellationToken ct)
    {
        var job = await store.JobGetAsync(jobId, ct) ?? throw new UserError($"no job {jobId}");
        var stage = job.Stages.ToList().FindIndex(s => s.Type == WhoisPipeline.Aggregate);
        return stage >= 0 ? stage : throw new UserError($"job {jobId} has no {WhoisPipeline.Aggregate} stage");
    }

    private static UserError NoAggregates(long jobId) => new($"job {jobId} has no aggregates (is its aggregate stage done?)");

    private static async Task<long?> LatestAsync(IHeavyStore store, CancellationToken ct) =>
        (await store.JobListAsync(new JobListParams(Limit: 1000), ct))
            .Where(j => j.Job.Stages.Any(s => s.Type == WhoisPipeline.Aggregate) && j.Job.State == JobState.Completed)
            .Select(j => (long?)j.Job.Id)
            .FirstOrDefault();
}
