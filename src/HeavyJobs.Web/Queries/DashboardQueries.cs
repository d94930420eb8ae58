using HeavyJobs.Core.Model;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Nodes;
using HeavyJobs.Storage.Throughput;
using HeavyJobs.Storage.Workers;

namespace HeavyJobs.Web.Queries;

/// <summary>Everything the pages and the JSON API read, built from the store's list methods. Reads only.</summary>
public sealed class DashboardQueries(IDashboardStore store, WebOptions options, TimeProvider time, DashboardRollups rollups)
{
    /// <summary>Live workers the ps reads at most; the store keeps exited ones too, but they are not listed here.</summary>
    private const int WorkerLimit = 10_000;

    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    public async Task<OverviewDto> OverviewAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var nodes = await store.NodeListAsync(cancellationToken);
        var workers = await store.WorkerListAsync(new WorkerListParams(Limit: WorkerLimit), cancellationToken);
        var targets = await store.WorkerTargetListAsync(null, cancellationToken);
        var buckets = await store.ThroughputListAsync(new ThroughputListParams(now - Hour, now + TimeSpan.FromMinutes(1)), cancellationToken);
        var (live, stats) = await LiveJobsAsync(cancellationToken);
        var recent = await store.ActionListAsync(new ActionListParams(Limit: 100), cancellationToken);
        var kills = await store.ActionListAsync(new ActionListParams(Limit: 200, Kind: ActionKinds.Hung), cancellationToken);

        var crashLooping = targets.Where(t => t.CrashLooping).Select(t => new CrashLoopDto(t.Node, t.Type, t.Note, t.UpdatedAt)).ToList();
        var lastFive = buckets.Where(b => b.Bucket >= now - TimeSpan.FromMinutes(5)).Sum(b => b.Items);
        var throughput = new ThroughputSummaryDto(
            Math.Round(lastFive / 5.0, 1),
            buckets.Sum(b => b.Items),
            buckets.Sum(b => b.Good),
            buckets.Sum(b => b.Bad));

        var attentionJobs = live
            .Where(s => s.Count(ChunkState.Failed) + s.Count(ChunkState.Quarantined) > 0)
            .Select(s => new AttentionJobDto(s.Job.Id, s.Job.Name, s.Count(ChunkState.Failed), s.Count(ChunkState.Quarantined)))
            .ToList();
        var hung = kills
            .Where(a => a.At >= now - Hour)
            .Select(Dto.Action)
            .ToList();

        return new OverviewDto(
            now,
            Machines(nodes, workers, now),
            Count(workers),
            throughput,
            Backlog(live, stats),
            recent.Where(a => IsAutomatic(a.Actor)).Take(15).Select(Dto.Action).ToList(),
            new AttentionDto(
                crashLooping,
                attentionJobs.Sum(j => j.Failed),
                attentionJobs.Sum(j => j.Quarantined),
                attentionJobs,
                hung));
    }

    public async Task<JobPageDto> JobsAsync(JobState? state, long? before, int? limit, CancellationToken cancellationToken)
    {
        var page = options.Page(limit);
        var listed = await store.JobListAsync(new JobListParams(page + 1, state, before, Counts: false), cancellationToken);
        var (jobs, stats) = await rollups.CountAsync(listed.Take(page).ToList(), cancellationToken);
        var shown = jobs.Select(j => Dto.Job(j, CountedAt(stats, j.Job.Id), Progress(j.Job, stats))).ToList();
        return new JobPageDto(shown, listed.Count > page ? shown[^1].Id : null);
    }

    public async Task<JobDetailDto?> JobAsync(long jobId, CancellationToken cancellationToken)
    {
        if (await store.JobGetAsync(jobId, cancellationToken) is not { } job)
        {
            return null;
        }

        var (counted, stats) = await rollups.CountAsync([new JobSummary(job, new Dictionary<ChunkState, long>(), ChunkCounters.Zero)], cancellationToken);
        var progress = Progress(job, stats);
        var stages = progress is not null
            ? progress.Stages.Select(Dto.Stage).ToList()
            // Not counted yet: the stages with no chunks and no ETA, until the next recount.
            : job.Stages.Select((st, i) => new StageDto(i, st.Name, st.Type, st.Mode.ToString().ToLowerInvariant())).ToList();
        return new JobDetailDto(Dto.Job(counted[0], CountedAt(stats, jobId), progress), stages, job.Parameters);
    }

    public async Task<ChunkPageDto> ChunksAsync(long jobId, ChunkState? state, long? after, int? limit, CancellationToken cancellationToken)
    {
        var page = options.Page(limit);
        var chunks = await store.ChunkListAsync(new ChunkListParams(jobId, state, after, page + 1), cancellationToken);
        var shown = chunks.Take(page).Select(Dto.Chunk).ToList();
        return new ChunkPageDto(shown, chunks.Count > page ? shown[^1].Id : null);
    }

    public async Task<ChunkDto?> ChunkAsync(long chunkId, CancellationToken cancellationToken) =>
        await store.ChunkGetAsync(chunkId, cancellationToken) is { } chunk ? Dto.Chunk(chunk) : null;

    public async Task<WorkersDto> WorkersAsync(string? node, bool includeExited, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var nodes = await store.NodeListAsync(cancellationToken);
        var workers = await store.WorkerListAsync(new WorkerListParams(node, includeExited, WorkerLimit), cancellationToken);
        var targets = await store.WorkerTargetListAsync(node, cancellationToken);
        var fleet = await store.FleetTargetListAsync(cancellationToken);
        var liveWorkers = workers.Where(w => w.State is not (WorkerState.Exited or WorkerState.Lost)).ToList();
        return new WorkersDto(
            now,
            Machines(nodes.Where(n => node is null || n.Name == node).ToList(), liveWorkers, now),
            workers.OrderBy(w => w.Node, StringComparer.Ordinal).ThenBy(w => w.Id).Select(w => Dto.Worker(w, now)).ToList(),
            targets.Select(t => new TargetDto(
                    t.Node,
                    t.Type,
                    t.Count,
                    liveWorkers.Count(w => w.Node == t.Node && w.Types.Contains(t.Type)),
                    t.CrashLooping,
                    t.Note,
                    t.Pinned ? "machine" : "fleet"))
                .ToList(),
            fleet.Select(f => new FleetTargetDto(f.Type, f.Count, liveWorkers.Count(w => w.Types.Contains(f.Type)))).ToList());
    }

    /// <summary>Jobs read for the names of the stages on the throughput chart, newest first.</summary>
    private const int StageNameJobs = 200;

    /// <summary>
    /// The named range back from now, or from..to when both are given (at most 31 days), with one series per worker,
    /// per type and per stage; <paramref name="by"/> (worker, type or stage) fills only that grouping.
    /// </summary>
    public async Task<ThroughputDto> ThroughputAsync(string? range, DateTimeOffset? since, DateTimeOffset? until, string? type, CancellationToken cancellationToken, string? by = null)
    {
        var (name, span, step) = ThroughputRange.Parse(range);
        var to = time.GetUtcNow();
        if (since is { } f && until is { } t && t > f)
        {
            to = t;
            span = t - f <= ThroughputRange.Longest ? t - f : ThroughputRange.Longest;
            (name, step) = ("custom", ThroughputRange.StepFor(span));
        }

        var grouping = ThroughputGrouping.Parse(by);
        bool Wants(string g) => grouping is null || grouping == g;
        var from = to - span;
        var stepMs = (long)step.TotalMilliseconds;
        var rows = await store.ThroughputListAsync(new ThroughputListParams(from, to + TimeSpan.FromMinutes(1), Type: type, StepMs: stepMs), cancellationToken);

        List<SeriesDto> byWorker = [];
        if (Wants(ThroughputGrouping.Worker))
        {
            var workers = (await store.WorkerListAsync(new WorkerListParams(IncludeExited: true, Limit: WorkerLimit), cancellationToken))
                .ToDictionary(w => w.Id);
            byWorker = rows.GroupBy(r => r.WorkerId).OrderBy(g => g.Key)
                .Select(g => Series(
                    g.Key.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    workers.TryGetValue(g.Key, out var w) ? $"worker {g.Key} ({w.Node})" : $"worker {g.Key}",
                    g,
                    stepMs))
                .ToList();
        }

        var byType = !Wants(ThroughputGrouping.Type) ? [] : rows.GroupBy(r => r.Type).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Series(g.Key, g.Key, g, stepMs))
            .ToList();

        List<SeriesDto> byStage = [];
        if (Wants(ThroughputGrouping.Stage))
        {
            // A stage is its position and handler type: stage 1 of one pipeline is not stage 1 of another.
            var names = new Dictionary<(int, string), string>();
            foreach (var job in await store.JobListAsync(new JobListParams(StageNameJobs, Counts: false), cancellationToken))
            {
                for (var i = 0; i < job.Job.Stages.Count; i++)
                {
                    names.TryAdd((i, job.Job.Stages[i].Type), job.Job.Stages[i].Name);
                }
            }

            byStage = rows.GroupBy(r => (r.Stage, r.Type)).OrderBy(g => g.Key.Stage).ThenBy(g => g.Key.Type, StringComparer.Ordinal)
                .Select(g => Series(
                    $"{g.Key.Stage}:{g.Key.Type}",
                    names.TryGetValue(g.Key, out var stageName) ? $"{stageName} (stage {g.Key.Stage}, {g.Key.Type})" : $"stage {g.Key.Stage} ({g.Key.Type})",
                    g,
                    stepMs))
                .ToList();
        }

        return new ThroughputDto(
            name,
            from,
            to,
            (int)step.TotalSeconds,
            byWorker,
            byType,
            new TallyDto(rows.Sum(r => r.Items), rows.Sum(r => r.Good), rows.Sum(r => r.Bad)),
            byStage,
            grouping);
    }

    /// <summary>A job's aggregate outputs by dimension (the summary first), each with its <paramref name="top"/> largest values.</summary>
    public async Task<AggregatesDto?> AggregatesAsync(long jobId, int? stage, int? top, CancellationToken cancellationToken)
    {
        var take = options.Page(top ?? 25);
        if (await Storage.Aggregates.JobAggregates.ReadAsync(store, jobId, stage, take, cancellationToken) is not { } set)
        {
            return null;
        }

        var job = await store.JobGetAsync(jobId, cancellationToken);
        var dimensions = set.Dimensions
            .Select(d => new DimensionDto(
                d.Name,
                d.Total,
                d.Values,
                d.Largest.Select(r => new AggregateValueDto(r.Value, r.Count, d.Total == 0 ? 0 : Math.Round(100.0 * r.Count / d.Total, 1))).ToList()))
            .ToList();
        return new AggregatesDto(jobId, job?.Name ?? "", set.Stage, set.StageName, dimensions, set.Skipped);
    }

    public async Task<ActionPageDto> ActionsAsync(ActionFilter filter, CancellationToken cancellationToken)
    {
        var page = options.Page(filter.Limit);
        var rows = await store.ActionListAsync(
            new ActionListParams(page + 1, filter.Before, Blank(filter.Kind), Blank(filter.Node), filter.Worker, filter.Chunk, filter.Job),
            cancellationToken);
        var shown = rows.Take(page).Select(Dto.Action).ToList();
        return new ActionPageDto(shown, rows.Count > page ? shown[^1].Id : null);
    }

    /// <summary>Jobs that can still need anything: active, paused, and failed ones (whose chunks an operator may reset).</summary>
    internal async Task<(List<JobSummary> Jobs, Dictionary<long, Storage.Dashboard.JobStats> Stats)> LiveJobsAsync(CancellationToken cancellationToken)
    {
        var jobs = new List<JobSummary>();
        foreach (var state in new[] { JobState.Active, JobState.Paused, JobState.Failed })
        {
            jobs.AddRange(await store.JobListAsync(new JobListParams(1000, state, Counts: false), cancellationToken));
        }

        return await rollups.CountAsync(jobs, cancellationToken);
    }

    /// <summary>A job's per-stage progress and ETA from its last recount, as <c>heavyjobs status</c> computes it from a scan; null when not counted yet.</summary>
    private static JobProgress? Progress(JobRow job, Dictionary<long, Storage.Dashboard.JobStats> stats) =>
        stats.TryGetValue(job.Id, out var s) ? JobProgress.From(job, s) : null;

    internal static WorkerCountsDto Count(IEnumerable<WorkerRow> workers)
    {
        int busy = 0, idle = 0, starting = 0, stopping = 0;
        foreach (var w in workers)
        {
            switch (w.State)
            {
                case WorkerState.Busy: busy++; break;
                case WorkerState.Idle: idle++; break;
                case WorkerState.Starting: starting++; break;
                case WorkerState.Stopping: stopping++; break;
                default: break;
            }
        }

        return new WorkerCountsDto(busy, idle, starting, stopping);
    }

    private static DateTimeOffset? CountedAt(Dictionary<long, Storage.Dashboard.JobStats> stats, long jobId) =>
        stats.TryGetValue(jobId, out var s) ? s.RefreshedAt : null;

    /// <summary>Everything not done by a person through the CLI or the dashboard.</summary>
    private static bool IsAutomatic(string actor) =>
        !actor.StartsWith("web:", StringComparison.Ordinal) && !actor.StartsWith("cli:", StringComparison.Ordinal);

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private List<MachineDto> Machines(IReadOnlyList<NodeRow> nodes, IReadOnlyList<WorkerRow> workers, DateTimeOffset now)
    {
        var names = nodes.Select(n => n.Name).Concat(workers.Select(w => w.Node)).Distinct().Order(StringComparer.Ordinal);
        return names.Select(name =>
        {
            var node = nodes.FirstOrDefault(n => n.Name == name);
            var age = node is null ? double.PositiveInfinity : (now - node.HeartbeatAt).TotalSeconds;
            return new MachineDto(
                name,
                node is not null && node.State != NodeStates.Dead && now - node.HeartbeatAt <= options.MachineUpWithin,
                node is null ? -1 : Math.Round(Math.Max(0, age), 1),
                node?.Version ?? "",
                node?.Capacity ?? 0,
                node?.StartedAt ?? DateTimeOffset.MinValue,
                Count(workers.Where(w => w.Node == name)),
                node?.Drained ?? false,
                node?.State == NodeStates.Dead);
        }).ToList();
    }

    private static List<BacklogDto> Backlog(IReadOnlyList<JobSummary> jobs, Dictionary<long, Storage.Dashboard.JobStats> stats) =>
        jobs
            .Where(s => s.Job.State is JobState.Active or JobState.Paused)
            .Select(s =>
            {
                var progress = Progress(s.Job, stats);
                var remaining = s.ChunksByState.Where(kv => !kv.Key.IsFinal()).Sum(kv => kv.Value);
                return new BacklogDto(
                    s.Job.Id,
                    s.Job.Name,
                    s.Job.State.ToDb(),
                    s.Count(ChunkState.Pending),
                    s.Count(ChunkState.Running),
                    remaining,
                    s.ChunkCount,
                    progress?.Stages.FirstOrDefault(st => st.Remaining > 0)?.Name,
                    progress is null ? null : EtaDto.From(progress.Eta, progress.EtaIsLowerBound));
            })
            .Where(b => b.Remaining > 0)
            .ToList();

    private static SeriesDto Series(string key, string label, IEnumerable<ThroughputRow> rows, long stepMs)
    {
        var list = rows.ToList();
        var points = list
            .GroupBy(r => StoreTime.ToMs(r.Bucket) / stepMs * stepMs)
            .OrderBy(g => g.Key)
            .Select(g => new[] { g.Key, g.Sum(r => r.Items), g.Sum(r => r.Good), g.Sum(r => r.Bad) })
            .ToList();
        return new SeriesDto(key, label, list.Sum(r => r.Items), list.Sum(r => r.Good), list.Sum(r => r.Bad), points);
    }
}

/// <summary>The action log's filters, as the page and the API take them.</summary>
public sealed record ActionFilter(string? Kind = null, string? Node = null, long? Worker = null, long? Chunk = null, long? Job = null, long? Before = null, int? Limit = null);

/// <summary>The ranges the throughput chart offers, each with a step that keeps a series to a few hundred points.</summary>
public static class ThroughputRange
{
    public static readonly IReadOnlyList<string> Names = ["1h", "6h", "24h", "7d", "30d"];

    /// <summary>The longest range a chart covers.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(31);

    public static (string Name, TimeSpan Span, TimeSpan Step) Parse(string? range)
    {
        var span = range switch
        {
            "6h" => TimeSpan.FromHours(6),
            "24h" => TimeSpan.FromHours(24),
            "7d" => TimeSpan.FromDays(7),
            "30d" => TimeSpan.FromDays(30),
            _ => TimeSpan.FromHours(1),
        };
        return (Names.Contains(range) ? range! : "1h", span, StepFor(span));
    }

    /// <summary>
    /// Whole minutes, about a hundred points or fewer over the span (a hundred workers make ten thousand points), and
    /// a multiple of a roll-up's bucket width (10 minutes, 2 hours) beyond six hours, so the roll-ups answer instead
    /// of the minute rows.
    /// </summary>
    public static TimeSpan StepFor(TimeSpan span)
    {
        var minutes = Math.Max(1, (int)Math.Ceiling(span.TotalMinutes / 100));
        var step = minutes switch { <= 1 => 1, <= 5 => 5, <= 10 => 10, <= 20 => 20, <= 30 => 30, <= 60 => 60, <= 120 => 120, <= 240 => 240, <= 360 => 360, <= 720 => 720, _ => 1440 };
        return TimeSpan.FromMinutes(span > TimeSpan.FromDays(1) ? Math.Max(120, step) : span > TimeSpan.FromHours(6) ? Math.Max(10, step) : step);
    }
}
