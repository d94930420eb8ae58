using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using Spectre.Console;

namespace HeavyJobs.Cli.Commands;

internal static class StatusCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create(CliApp app)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON: every job, and every chunk with its state, cursor, counters and worker ids." };
        var job = new Option<long?>("--job") { Description = "Only this job (and show its chunks)." };
        var limit = new Option<int>("--chunks") { Description = "Show at most this many chunks.", DefaultValueFactory = _ => 10_000 };
        var command = new Command("status", "Jobs and chunks with their progress.") { json, job, limit };
        command.SetAction((parse, ct) => app.GuardAsync(
            parse,
            async store =>
            {
                var jobs = await store.JobListAsync(new JobListParams(Limit: 1000), ct);
                if (parse.GetValue(job) is { } only)
                {
                    jobs = jobs.Where(j => j.Job.Id == only).ToList();
                    if (jobs.Count == 0)
                    {
                        throw new UserError($"no job {only}");
                    }
                }

                var chunks = await ListChunksAsync(store, jobs, parse.GetValue(limit), ct);
                var progress = new Dictionary<long, JobProgress>();
                foreach (var j in jobs.Where(j => parse.GetValue(job) is not null || j.Job.State is JobState.Active or JobState.Paused))
                {
                    progress[j.Job.Id] = await JobProgress.ReadAsync(store, j.Job, app.Time.GetUtcNow(), ct);
                }

                if (parse.GetValue(json))
                {
                    Console.WriteLine(JsonSerializer.Serialize(ToJson(jobs, progress, chunks, parse.GetValue(limit)), Json));
                }
                else
                {
                    Render(jobs, progress, parse.GetValue(job) is null ? [] : chunks);
                }

                return 0;
            },
            ct));
        return command;
    }

    private static async Task<List<ChunkRow>> ListChunksAsync(IHeavyStore store, IReadOnlyList<JobSummary> jobs, int limit, CancellationToken ct)
    {
        var chunks = new List<ChunkRow>();
        foreach (var j in jobs.OrderBy(j => j.Job.Id))
        {
            long? after = null;
            while (chunks.Count < limit)
            {
                var page = await store.ChunkListAsync(new ChunkListParams(j.Job.Id, AfterId: after, Limit: Math.Min(5_000, limit - chunks.Count)), ct);
                chunks.AddRange(page);
                if (page.Count == 0 || chunks.Count >= limit)
                {
                    break;
                }

                after = page[^1].Id;
            }
        }

        return chunks;
    }

    /// <summary>An ETA as people read it: "4m 10s", "≥ 2m" while a barrier still waits, "-" when not known yet.</summary>
    public static string Eta(TimeSpan? eta, bool atLeast = false) => eta switch
    {
        null => "-",
        { } e when e <= TimeSpan.Zero => "done",
        { } e => (atLeast ? "≥ " : "") + (e.TotalHours >= 1 ? $"{(int)e.TotalHours}h {e.Minutes:00}m" : e.TotalMinutes >= 1 ? $"{(int)e.TotalMinutes}m {e.Seconds:00}s" : $"{Math.Max(1, (int)e.TotalSeconds)}s"),
    };

    private static object ToJson(IReadOnlyList<JobSummary> jobs, Dictionary<long, JobProgress> progress, List<ChunkRow> chunks, int limit) => new
    {
        jobs = jobs.Select(j => new
        {
            id = j.Job.Id,
            name = j.Job.Name,
            state = j.Job.State.ToDb(),
            stages = j.Job.Stages.Select(s => new { s.Name, s.Type, mode = s.Mode.ToString().ToLowerInvariant() }),
            chunkCount = j.ChunkCount,
            chunks = j.ChunksByState.ToDictionary(kv => kv.Key.ToDb(), kv => kv.Value),
            done = j.Counters.Done,
            good = j.Counters.Good,
            bad = j.Counters.Bad,
            createdAt = j.Job.CreatedAt,
            finishedAt = j.Job.FinishedAt,
            etaSeconds = progress.TryGetValue(j.Job.Id, out var p) ? p.Eta?.TotalSeconds : null,
            stageProgress = progress.TryGetValue(j.Job.Id, out var sp)
                ? sp.Stages.Select(s => new
                {
                    stage = s.Stage, name = s.Name, type = s.Type, mode = s.Mode.ToString().ToLowerInvariant(),
                    chunks = s.Total, done = s.Done, running = s.Running, waiting = s.Waiting, failed = s.Failed, remaining = s.Remaining,
                    items = s.Counters.Done, good = s.Counters.Good, bad = s.Counters.Bad,
                    chunksPerMinute = Math.Round(s.ChunksPerMinute, 2), etaSeconds = s.Eta?.TotalSeconds, etaIsLowerBound = s.EtaIsLowerBound,
                })
                : null,
        }),
        chunks = chunks.Select(c => new
        {
            id = c.Id,
            jobId = c.JobId,
            stage = c.Stage,
            type = c.Type,
            state = c.State.ToDb(),
            cursor = c.Cursor,
            done = c.Counters.Done,
            good = c.Counters.Good,
            bad = c.Counters.Bad,
            attempts = c.Attempts,
            crashes = c.Crashes,
            epoch = c.Epoch,
            leaseOwner = c.LeaseOwner,
            workerIds = c.Holders,
            lastError = LastError(c.Errors),
        }),
        chunksTruncated = chunks.Count >= limit,
    };

    private static void Render(IReadOnlyList<JobSummary> jobs, Dictionary<long, JobProgress> progress, List<ChunkRow> chunks)
    {
        if (jobs.Count == 0)
        {
            AnsiConsole.MarkupLine("[grey]No jobs. Submit one with[/] heavyjobs submit FILE");
            return;
        }

        var table = new Table().AddColumns("Job", "Name", "State", "Chunks done", "Running", "Failed", "Items", "Good", "Bad", "ETA");
        foreach (var j in jobs)
        {
            var done = j.Count(ChunkState.Done);
            table.AddRow(
                j.Job.Id.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(j.Job.Name),
                j.Job.State.ToDb(),
                $"{done}/{j.ChunkCount} ({(j.ChunkCount == 0 ? 0 : 100.0 * done / j.ChunkCount):0.0}%)",
                j.Count(ChunkState.Running).ToString(CultureInfo.InvariantCulture),
                (j.Count(ChunkState.Failed) + j.Count(ChunkState.Quarantined)).ToString(CultureInfo.InvariantCulture),
                j.Counters.Done.ToString("N0", CultureInfo.InvariantCulture),
                j.Counters.Good.ToString("N0", CultureInfo.InvariantCulture),
                j.Counters.Bad.ToString("N0", CultureInfo.InvariantCulture),
                progress.TryGetValue(j.Job.Id, out var p) ? Eta(p.Eta, p.EtaIsLowerBound) : "");
        }

        AnsiConsole.Write(table);
        foreach (var p in progress.Values.Where(p => p.Stages.Count > 1 || chunks.Count > 0))
        {
            var st = new Table().Title($"job {p.JobId} by stage").AddColumns("Stage", "Type", "Mode", "Chunks done", "Running", "Waiting", "Failed", "Items", "Good", "Bad", "Chunks/min", "ETA");
            foreach (var s in p.Stages)
            {
                st.AddRow(
                    Markup.Escape($"{s.Stage} {s.Name}"), Markup.Escape(s.Type), s.Mode.ToString().ToLowerInvariant(),
                    $"{s.Done}/{s.Total}", N(s.Running), N(s.Waiting), N(s.Failed),
                    N(s.Counters.Done), N(s.Counters.Good), N(s.Counters.Bad),
                    s.ChunksPerMinute.ToString("0.#", CultureInfo.InvariantCulture), Eta(s.Eta, s.EtaIsLowerBound));
            }

            AnsiConsole.Write(st);
        }
        if (chunks.Count == 0)
        {
            return;
        }

        var ct = new Table().AddColumns("Chunk", "Stage", "State", "Cursor", "Done", "Good", "Bad", "Attempts", "Workers", "Last error");
        foreach (var c in chunks)
        {
            ct.AddRow(
                c.Id.ToString(CultureInfo.InvariantCulture),
                c.Stage.ToString(CultureInfo.InvariantCulture),
                c.State.ToDb(),
                Markup.Escape(c.Cursor ?? "-"),
                c.Counters.Done.ToString(CultureInfo.InvariantCulture),
                c.Counters.Good.ToString(CultureInfo.InvariantCulture),
                c.Counters.Bad.ToString(CultureInfo.InvariantCulture),
                $"{c.Attempts}/{c.MaxAttempts}",
                string.Join(",", c.Holders),
                Markup.Escape(LastError(c.Errors) ?? ""));
        }

        AnsiConsole.Write(ct);
    }

    private static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string? LastError(string errors)
    {
        using var doc = JsonDocument.Parse(errors);
        var arr = doc.RootElement;
        return arr.GetArrayLength() == 0 ? null : arr[arr.GetArrayLength() - 1].GetProperty("error").GetString();
    }
}
