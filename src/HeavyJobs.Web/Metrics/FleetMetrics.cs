using HeavyJobs.Core.Model;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.Throughput;
using HeavyJobs.Storage.Workers;
using HeavyJobs.Web.Queries;
using Prometheus;

namespace HeavyJobs.Web.Metrics;

/// <summary>
/// The fleet as Prometheus metrics, read from the store when scraped but at most once per
/// <see cref="WebOptions.MetricsRefreshInterval"/>, so many scrapers cost the store no more than one.
/// Each app has its own registry: several dashboards in one process (tests) do not share series.
/// </summary>
internal sealed class FleetMetrics
{
    private static readonly string[] LiveWorkerStates =
        [WorkerState.Starting.ToDb(), WorkerState.Idle.ToDb(), WorkerState.Busy.ToDb(), WorkerState.Stopping.ToDb()];

    private readonly IDashboardStore _store;
    private readonly DashboardRollups _rollups;
    private readonly WebOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<FleetMetrics> _log;
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private readonly ThroughputCounters _throughput = new();
    private DateTimeOffset _lastRefresh = DateTimeOffset.MinValue;

    private readonly Gauge _storeUp;
    private readonly Gauge _machineUp;
    private readonly Gauge _machineHeartbeatAge;
    private readonly Gauge _workers;
    private readonly Gauge _targets;
    private readonly Gauge _crashLooping;
    private readonly Gauge _chunks;
    private readonly Gauge _backlog;
    private readonly Gauge _oldestWaiting;
    private readonly Gauge _hungKills;
    private readonly Counter _items;
    private readonly Counter _good;
    private readonly Counter _bad;

    public FleetMetrics(IDashboardStore store, DashboardRollups rollups, WebOptions options, TimeProvider time, ILogger<FleetMetrics> log)
    {
        _store = store;
        _rollups = rollups;
        _options = options;
        _time = time;
        _log = log;
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var f = Prometheus.Metrics.WithCustomRegistry(Registry);
        _storeUp = f.CreateGauge("heavyjobs_store_up", "1 when the last read of the store succeeded.");
        _machineUp = f.CreateGauge("heavyjobs_machine_up", "1 when the machine's monitor heartbeat is recent.", ["node"]);
        _machineHeartbeatAge = f.CreateGauge("heavyjobs_machine_heartbeat_age_seconds", "Seconds since the machine's monitor last heartbeat.", ["node"]);
        _workers = f.CreateGauge("heavyjobs_workers", "Live worker processes by machine, type and state.", ["node", "type", "state"]);
        _targets = f.CreateGauge("heavyjobs_worker_target", "How many workers of the type the machine should run.", ["node", "type"]);
        _crashLooping = f.CreateGauge("heavyjobs_crash_looping", "1 when the type is crash-looping on the machine.", ["node", "type"]);
        _chunks = f.CreateGauge("heavyjobs_chunks", "Chunks of active, paused and failed jobs by state, per job type (its first stage's handler type).", ["job_type", "state"]);
        _backlog = f.CreateGauge("heavyjobs_backlog_chunks", "Pending and running chunks of active jobs, per job type.", ["job_type"]);
        _oldestWaiting = f.CreateGauge("heavyjobs_oldest_waiting_chunk_age_seconds", "Age of the oldest pending chunk of an active job, per job type; 0 when none waits.", ["job_type"]);
        _hungKills = f.CreateGauge("heavyjobs_hung_kills_last_hour", "Workers killed as hung in the last hour.");
        _items = f.CreateCounter("heavyjobs_items_total", "Items processed, per handler type, since this process started.", ["type"]);
        _good = f.CreateCounter("heavyjobs_records_good_total", "Good records produced, per handler type, since this process started.", ["type"]);
        _bad = f.CreateCounter("heavyjobs_records_bad_total", "Bad records produced, per handler type, since this process started.", ["type"]);
        Registry.AddBeforeCollectCallback(RefreshAsync);
    }

    public CollectorRegistry Registry { get; }

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _refreshing.WaitAsync(cancellationToken);
        try
        {
            var now = _time.GetUtcNow();
            if (now - _lastRefresh < _options.MetricsRefreshInterval)
            {
                return;
            }

            await ReadAsync(now, cancellationToken);
            _lastRefresh = now;
            _storeUp.Set(1);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A scrape must still answer when the store does not: the alert on heavyjobs_store_up says why.
            _log.LogWarning(e, "reading the store for /metrics failed");
            _storeUp.Set(0);
        }
        finally
        {
            _refreshing.Release();
        }
    }

    private async Task ReadAsync(DateTimeOffset now, CancellationToken ct)
    {
        var nodes = await _store.NodeListAsync(ct);
        var workers = await _store.WorkerListAsync(new WorkerListParams(Limit: 10_000), ct);
        var targets = await _store.WorkerTargetListAsync(null, ct);
        var jobs = new List<JobSummary>();
        foreach (var state in new[] { JobState.Active, JobState.Paused, JobState.Failed })
        {
            jobs.AddRange(await _store.JobListAsync(new JobListParams(1000, state, Counts: false), ct));
        }

        jobs = (await _rollups.CountAsync(jobs, ct)).Jobs;

        var rows = await _store.ThroughputListAsync(new ThroughputListParams(now - ThroughputCounters.Window, now + TimeSpan.FromMinutes(1)), ct);
        var kills = await _store.ActionListAsync(new ActionListParams(Limit: 500, Kind: ActionKinds.Hung), ct);

        Replace(_machineUp, nodes.Select(n => (new[] { n.Name }, now - n.HeartbeatAt <= _options.MachineUpWithin ? 1.0 : 0.0)));
        Replace(_machineHeartbeatAge, nodes.Select(n => (new[] { n.Name }, Math.Max(0, (now - n.HeartbeatAt).TotalSeconds))));

        // Every state of every (machine, type) seen, zeros included, so sums and alerts see a series.
        var pairs = workers.Select(w => (w.Node, Type: string.Join(",", w.Types)))
            .Concat(targets.Select(t => (t.Node, t.Type)))
            .Distinct()
            .ToList();
        Replace(_workers, pairs.SelectMany(p => LiveWorkerStates.Select(s => (
            new[] { p.Node, p.Type, s },
            (double)workers.Count(w => w.Node == p.Node && string.Join(",", w.Types) == p.Type && w.State.ToDb() == s)))));
        Replace(_targets, targets.Select(t => (new[] { t.Node, t.Type }, (double)t.Count)));
        Replace(_crashLooping, targets.Select(t => (new[] { t.Node, t.Type }, t.CrashLooping ? 1.0 : 0.0)));

        var byType = jobs.GroupBy(JobType).ToList();
        Replace(_chunks, byType.SelectMany(g => Enum.GetValues<ChunkState>().Select(s => (new[] { g.Key, s.ToDb() }, (double)g.Sum(j => j.Count(s))))));
        Replace(_backlog, byType.Select(g => (new[] { g.Key }, (double)g.Where(j => j.Job.State == JobState.Active)
            .Sum(j => j.Count(ChunkState.Pending) + j.Count(ChunkState.Running)))));

        var oldest = new List<(string[], double)>();
        foreach (var g in byType)
        {
            var age = 0.0;
            foreach (var job in g.Where(j => j.Job.State == JobState.Active && j.Count(ChunkState.Pending) > 0))
            {
                // The lowest pending id is the oldest waiting chunk of that job: one row from the (job, state) index.
                var first = await _store.ChunkListAsync(new ChunkListParams(job.Job.Id, ChunkState.Pending, Limit: 1), ct);
                if (first.Count > 0)
                {
                    age = Math.Max(age, (now - first[0].CreatedAt).TotalSeconds);
                }
            }

            oldest.Add(([g.Key], age));
        }

        Replace(_oldestWaiting, oldest);
        _hungKills.Set(kills.Count(a => a.At >= now - TimeSpan.FromHours(1)));

        var increments = _throughput.Advance(rows, now);
        var types = increments.Keys
            .Concat(jobs.SelectMany(j => j.Job.Stages.Select(s => s.Type)))
            .Concat(targets.Select(t => t.Type))
            .Distinct(StringComparer.Ordinal);
        foreach (var type in types)
        {
            var inc = increments.TryGetValue(type, out var v) ? v : default;
            _items.WithLabels(type).Inc(inc.Items);
            _good.WithLabels(type).Inc(inc.Good);
            _bad.WithLabels(type).Inc(inc.Bad);
        }
    }

    private static string JobType(JobSummary job) => job.Job.Stages.Count > 0 ? job.Job.Stages[0].Type : "";

    /// <summary>Sets these series and removes the gauge's others, so a machine or type that went away stops being reported.</summary>
    private static void Replace(Gauge gauge, IEnumerable<(string[] Labels, double Value)> values)
    {
        var keep = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (labels, value) in values)
        {
            gauge.WithLabels(labels).Set(value);
            keep.Add(string.Join('\u0001', labels));
        }

        foreach (var labels in gauge.GetAllLabelValues().ToList())
        {
            if (!keep.Contains(string.Join('\u0001', labels)))
            {
                gauge.RemoveLabelled(labels);
            }
        }
    }
}
