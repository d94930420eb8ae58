using System.CommandLine;
using System.Globalization;
using HeavyJobs.Core.Definitions;
using HeavyJobs.Core.Model;
using HeavyJobs.Demo;
using HeavyJobs.Runtime.Jobs;
using HeavyJobs.Runtime.Manager;
using HeavyJobs.Runtime.Monitor;
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
        var refreshAge = new Option<string>("--refresh-age") { Description = "WHOIS pilot: refresh the domains never fetched or fetched longer ago than this (as in 30m, 12h, 7d).", DefaultValueFactory = _ => "1h" };
        var command = new Command("run", "Run the main job on one machine: submit it (or resume it), run the manager, the monitor and its workers, and the dashboard; show progress and the result.")
        {
            workers, below, chunkSize, urls, allowedHosts, pilot, domains, refreshAge,
        };
        command.SetAction((parse, ct) => app.GuardAsync(
            parse,
            async store =>
            {
                using var stop = new StopSignal(ct);
                var n = parse.GetValue(below);
                var db = parse.GetValue(app.Db)!;
                var options = MonitorCommand.Options(app, db, Environment.MachineName, []);
                var isWhois = parse.GetValue(pilot) == "whois";
                if (!Durations.TryParse(parse.GetValue(refreshAge), out var age))
                {
                    throw new UserError($"--refresh-age: a whole number and a unit (s, m, h or d), as in 12h (got '{parse.GetValue(refreshAge)}')");
                }

                await using var whoisServer = isWhois ? await WhoisDemo.StartServerAsync(parse.GetValue(domains), stop.Token) : null;
                long jobId;
                if (isWhois)
                {
                    if (await WhoisDemo.FindOrSubmitAsync(app, store, whoisServer!, parse.GetValue(domains), age, stop.Token) is not { } refresh)
                    {
                        await WhoisDemo.ShowLatestAsync(store, stop.Token);
                        return 0;
                    }

                    jobId = refresh;
                    await WhoisDemo.ScaleAsync(store, options.Node, parse.GetValue(workers), app.Time, stop.Token);
                }
                else
                {
                    jobId = await FindOrSubmitAsync(app, store, n, parse.GetValue(chunkSize), stop.Token);
                    await store.WorkerTargetSetAsync(new WorkerTargetSetParams(options.Node, PrimeCountHandler.Type, parse.GetValue(workers), app.Time.GetUtcNow()), stop.Token);
                }

                AnsiConsole.MarkupLine($"[bold]HeavyJobs[/] on {Markup.Escape(StoreFactory.Describe(db))}: job {jobId}; the monitor runs {parse.GetValue(workers)} worker processes on {Markup.Escape(options.Node)}");
                AnsiConsole.MarkupLine("[grey]In another terminal: heavyjobs workers ps · heavyjobs status · heavyjobs actions (with the same --db)[/]");
                using var loggers = CliApp.Loggers(LogLevel.Warning);
                using var background = new CancellationTokenSource();
                var monitor = Task.Run(() => new HeavyMonitor(store, app.Registry, options, app.Time, loggers).RunAsync(background.Token), CancellationToken.None);
                var manager = Task.Run(() => new HeavyManager(store, (d, source, c) => Submit(app, store, d, source, c), app.Time, loggers).RunAsync(background.Token), CancellationToken.None);
                await using var web = await StartDashboardAsync(app, store, parse.GetValue(urls)!, parse.GetValue(allowedHosts), stop.Token);
                var summary = await ShowProgressAsync(app, store, jobId, stop.Token);
                // The monitor drains its workers: each checkpoints and gives its chunk back.
                await background.CancelAsync();
                await Task.WhenAll(monitor, manager);
                if (isWhois)
                {
                    return await WhoisDemo.ReportAsync(store, summary, whoisServer!, CancellationToken.None);
                }

                return Report(summary, n);
            },
            CancellationToken.None));
        return command;
    }

    private static async Task<long> Submit(CliApp app, IHeavyStore store, JobDefinition definition, string source, CancellationToken ct) =>
        (await JobSubmitter.SubmitAsync(store, app.Registry, definition, source, Environment.CurrentDirectory, app.Time, ct)).JobId;

    /// <summary>The dashboard is a convenience here: if its port is taken, the run goes on without it.</summary>
    private static async Task<Microsoft.AspNetCore.Builder.WebApplication?> StartDashboardAsync(CliApp app, IHeavyStore store, string urls, string? allowedHosts, CancellationToken ct)
    {
        try
        {
            var web = WebCommand.Build(store, app, urls, null, allowedHosts);
            await web.StartAsync(ct);
            AnsiConsole.MarkupLine($"Dashboard: [link]{Markup.Escape(string.Join(", ", web.Urls))}[/]");
            return web;
        }
        catch (Exception ex) when (ex is IOException or UserError or InvalidOperationException)
        {
            AnsiConsole.MarkupLine($"[yellow]Dashboard not started: {Markup.Escape(ex.Message)}[/]");
            return null;
        }
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
                        await store.JobFinishCompletedAsync(new JobFinishParams(app.Time.GetUtcNow()), ct);
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
