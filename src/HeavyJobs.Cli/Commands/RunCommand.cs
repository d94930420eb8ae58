using System.CommandLine;
using System.Globalization;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Demo;
using HeavyJobs.Runtime.Jobs;
using HeavyJobs.Web.Hosting;
using Microsoft.Extensions.DependencyInjection;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Monitoring;
using HeavyJobs.Storage.Jobs;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace HeavyJobs.Cli.Commands;

/// <summary>
/// The all-in-one for one machine on SQLite: submits the demo job (or resumes the one a previous run left),
/// runs this machine's monitor with worker processes, shows progress, and checks the answer at the end.
/// </summary>
internal static class RunCommand
{
    private const string DemoName = "demo: count the primes below {0}";

    public static Command Create(CliApp app)
    {
        var workers = new Option<int>("--workers") { Description = "Workers to run.", DefaultValueFactory = _ => Math.Max(2, Environment.ProcessorCount) };
        var below = new Option<long>("--below") { Description = "Count the primes below this number (a power of ten is checked against the known answer).", DefaultValueFactory = _ => 10_000_000_000 };
        var chunkSize = new Option<long>("--chunk-size") { Description = "Numbers per chunk.", DefaultValueFactory = _ => 100_000_000 };
        var urls = WebCommand.Urls();
        var allowedHosts = WebCommand.AllowedHosts();
        var pilot = new Option<string>("--pilot") { Description = "whois: refresh WHOIS records from a local WHOIS server (fetch → parse → aggregate); primes: count primes.", DefaultValueFactory = _ => "whois" };
        pilot.AcceptOnlyFromAmong("whois", "primes");
        var domains = new Option<int>("--domains") { Description = "WHOIS pilot: how many domains to refresh.", DefaultValueFactory = _ => 3000 };
        var fetchRate = new Option<double>("--fetch-rate")
        {
            Description = "WHOIS pilot: queries a second per WHOIS server, fleet-wide (the local servers allow half as much again). Raise it (as in 1000) to measure HeavyJobs rather than the servers' politeness.",
            DefaultValueFactory = _ => WhoisDemo.FetchRatePerServer,
        };
        var refreshAge = new Option<string>("--refresh-age") { Description = "WHOIS pilot: refresh the domains never fetched or fetched longer ago than this (as in 30m, 12h, 7d).", DefaultValueFactory = _ => "1h" };
        var command = new Command("run", "Run the main job on one machine: submit it (or resume it), run the manager, the monitor and its workers, and the dashboard; show progress and the result.")
        {
            workers, below, chunkSize, urls, allowedHosts, pilot, domains, fetchRate, refreshAge,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (!Durations.TryParse(parse.GetValue(refreshAge), out var age))
            {
                await Console.Error.WriteLineAsync($"error: --refresh-age: a whole number and a unit (s, m, h or d), as in 12h (got '{parse.GetValue(refreshAge)}')");
                return 2;
            }

            var rate = parse.GetValue(fetchRate);
            if (rate is not (> 0 and <= 100_000))
            {
                await Console.Error.WriteLineAsync($"error: --fetch-rate: queries a second per server, above 0 and at most 100000 (got {rate.ToString(CultureInfo.InvariantCulture)})");
                return 2;
            }

            var isWhois = parse.GetValue(pilot) == "whois";
            await using var whoisServer = isWhois ? await WhoisDemo.StartServerAsync(parse.GetValue(domains), rate, ct) : null;
            var node = Environment.MachineName;
            return await app.HostAsync(
                parse,
                // Every role in one host: the fleet's manager, this machine's monitor, and the dashboard (a
                // convenience here: if its port is taken, the run goes on without it).
                roles => roles
                    .AddManager()
                    .AddMonitor(o => o.Node = node)
                    .AddDashboard(o => WebCommand.Map(o, parse.GetValue(urls)!, null, parse.GetValue(allowedHosts)), optional: true),
                async (host, store, c) =>
                {
                    long jobId;
                    if (isWhois)
                    {
                        if (await WhoisDemo.FindOrSubmitAsync(app, store, whoisServer!, parse.GetValue(domains), age, rate, c) is not { } refresh)
                        {
                            await WhoisDemo.ShowLatestAsync(store, c);
                            return 0;
                        }

                        jobId = refresh;
                        await WhoisDemo.ScaleAsync(store, node, parse.GetValue(workers), app.Time, c);
                    }
                    else
                    {
                        jobId = await FindOrSubmitAsync(app, store, parse.GetValue(below), parse.GetValue(chunkSize), c);
                        await store.WorkerTargetSetAsync(new WorkerTargetSetParams(node, PrimeCountHandler.Type, parse.GetValue(workers), app.Time.GetUtcNow()), c);
                    }

                    AnsiConsole.MarkupLine($"[bold]HeavyJobs[/] on {Markup.Escape(StoreFactory.Describe(parse.GetValue(app.Db)!))}: job {jobId}; the monitor runs {parse.GetValue(workers)} worker processes on {Markup.Escape(node)}");
                    if (host.Services.GetService<DashboardUrls>() is { Urls.Count: > 0 } dashboard)
                    {
                        AnsiConsole.MarkupLine($"Dashboard: [link]{Markup.Escape(string.Join(", ", dashboard.Urls))}[/]");
                    }

                    AnsiConsole.MarkupLine("[grey]In another terminal: heavyjobs workers ps · heavyjobs status · heavyjobs actions (with the same --db)[/]");
                    // Stopping the host afterwards drains the monitor's workers: each checkpoints and gives its chunk back.
                    var summary = await ShowProgressAsync(app, store, jobId, c);
                    if (isWhois)
                    {
                        await host.StopAsync(CancellationToken.None);
                        return await WhoisDemo.ReportAsync(store, summary, whoisServer!, rate, CancellationToken.None);
                    }

                    return Report(summary, parse.GetValue(below));
                },
                LogLevel.Warning,
                ct);
        });
        return command;
    }

    private static async Task<long> FindOrSubmitAsync(CliApp app, IHeavyStore store, long below, long chunkSize, CancellationToken ct)
    {
        var name = string.Format(CultureInfo.InvariantCulture, DemoName, below);
        var existing = (await store.JobListAsync(new JobListParams(Limit: 1000), ct))
            .FirstOrDefault(j => j.Job.Name == name && j.Job.State is JobState.Active or JobState.Paused);
        if (existing is not null)
        {
            AnsiConsole.MarkupLine($"Resuming job {existing.Job.Id}: {existing.Count(ChunkState.Done)}/{existing.ChunkCount} chunks already done.");
            return existing.Job.Id;
        }

        var definition = new JobDefinition(
            name,
            [new StageDefinition("main", PrimeCountHandler.Type, StageMode.Streaming)],
            System.Text.Json.JsonSerializer.SerializeToElement(new { segment = PrimeCountHandler.DefaultSegment }),
            new ChunkSplit.Range(0, below, chunkSize),
            Priority: 0,
            MaxAttempts: 5);
        var inserted = await JobSubmitter.SubmitAsync(store, app.Registry, definition, "demo", Environment.CurrentDirectory, app.Time, ct);
        return inserted.JobId;
    }

    private static async Task<JobSummary?> ShowProgressAsync(CliApp app, IHeavyStore store, long jobId, CancellationToken ct)
    {
        JobSummary? summary = null;
        try
        {
            await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .StartAsync(async ctx =>
                {
                    var task = ctx.AddTask($"job {jobId}", maxValue: 1);
                    var stageTasks = new List<ProgressTask>();
                    while (true)
                    {
                        summary = (await store.JobListAsync(new JobListParams(Limit: 1000), ct)).FirstOrDefault(j => j.Job.Id == jobId);
                        if (summary is null)
                        {
                            return;
                        }

                        var progress = await JobProgress.ReadAsync(store, summary.Job, app.Time.GetUtcNow(), ct);
                        task.MaxValue = summary.ChunkCount;
                        task.Value = summary.Count(ChunkState.Done);
                        task.Description = $"job {jobId}: {summary.Counters.Done:N0} items ({summary.Counters.Good:N0} good, {summary.Counters.Bad:N0} bad), ETA {StatusCommand.Eta(progress.Eta, progress.EtaIsLowerBound)}";
                        // One bar per stage of a pipeline: fetchers, parsers and aggregators each show their own pace.
                        for (var i = 0; progress.Stages.Count > 1 && i < progress.Stages.Count; i++)
                        {
                            var s = progress.Stages[i];
                            if (stageTasks.Count <= i)
                            {
                                stageTasks.Add(ctx.AddTask(s.Name, maxValue: 1));
                            }

                            stageTasks[i].MaxValue = Math.Max(1, s.Total);
                            stageTasks[i].Value = s.Done;
                            stageTasks[i].Description = $"  {Markup.Escape(s.Name)}: {s.Done:N0}/{s.Total:N0} chunks, {s.Running} running, {s.Counters.Done:N0} items, ETA {StatusCommand.Eta(s.Eta, s.EtaIsLowerBound)}";
                        }

                        if (summary.Job.State is not (JobState.Active or JobState.Paused))
                        {
                            return;
                        }

                        await Task.Delay(TimeSpan.FromMilliseconds(500), app.Time, ct);
                    }
                });
        }
        catch (OperationCanceledException)
        {
            AnsiConsole.MarkupLine("[yellow]Stopped: the workers checkpoint and give their chunks back; run again to resume.[/]");
        }

        return summary;
    }

    private static int Report(JobSummary? summary, long below)
    {
        if (summary is null || summary.Job.State != JobState.Completed)
        {
            return summary?.Job.State == JobState.Failed ? 1 : 0;
        }

        var primes = summary.Counters.Good;
        var line = $"Primes below {below:N0}: {primes:N0}";
        if (DemoJobs.KnownPrimeCounts.TryGetValue(below, out var expected))
        {
            var ok = primes == expected;
            AnsiConsole.MarkupLine(ok ? $"[green]{line} (the known answer: every segment counted exactly once)[/]" : $"[red]{line}, expected {expected:N0}[/]");
            return ok ? 0 : 1;
        }

        AnsiConsole.MarkupLine(line);
        return 0;
    }
}
