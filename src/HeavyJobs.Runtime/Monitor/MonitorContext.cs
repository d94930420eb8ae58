using HeavyJobs.Core.Handlers;
using HeavyJobs.Storage;
using HeavyJobs.Storage.Actions;
using Microsoft.Extensions.Logging;

namespace HeavyJobs.Runtime.Monitor;

/// <summary>
/// What the monitor's duties share: the store, the handlers, the options, the clock, the table of live worker
/// processes and their types' crash-loop state, and the one way they write to the action log.
/// </summary>
internal sealed class MonitorContext(IMonitorStore store, HandlerRegistry registry, MonitorOptions options, TimeProvider time, ILogger logger)
{
    private const string Actor = "monitor";

    private readonly Dictionary<long, WorkerProcess> _workers = [];
    private readonly Dictionary<string, CrashLoopTracker> _types = [];

    public IMonitorStore Store { get; } = store;

    public HandlerRegistry Registry { get; } = registry;

    public MonitorOptions Options { get; } = options;

    public TimeProvider Time { get; } = time;

    public ILogger Logger { get; } = logger;

    /// <summary>Released when a worker exits or the store changes: the loop wakes at once.</summary>
    public SemaphoreSlim Signal { get; } = new(0);

    /// <summary>This boot of the machine, read once at start.</summary>
    public string BootId { get; set; } = "";

    public RunningFiles? RunningFiles { get; set; }

    /// <summary>Crash-loop state per type; read and written by the loop only.</summary>
    public IReadOnlyCollection<CrashLoopTracker> Trackers => _types.Values;

    public List<WorkerProcess> Live()
    {
        lock (_workers)
        {
            return [.. _workers.Values];
        }
    }

    public WorkerProcess? Find(long id)
    {
        lock (_workers)
        {
            return _workers.GetValueOrDefault(id);
        }
    }

    public void Add(WorkerProcess worker)
    {
        lock (_workers)
        {
            _workers[worker.Id] = worker;
        }
    }

    public void Remove(WorkerProcess worker)
    {
        lock (_workers)
        {
            _workers.Remove(worker.Id);
        }
    }

    public CrashLoopTracker Tracker(string type)
    {
        if (!_types.TryGetValue(type, out var tracker))
        {
            _types[type] = tracker = new CrashLoopTracker(Options, Time);
        }

        return tracker;
    }

    public long TimestampAfter(TimeSpan span) => Time.GetTimestamp() + (long)(span.TotalSeconds * Time.TimestampFrequency);

    public Task ActAsync(string kind, string reason, CancellationToken ct, long? workerId = null, long? jobId = null, long? chunkId = null) =>
        Store.ActionInsertAsync(Entry(kind, reason, Time.GetUtcNow(), workerId, jobId, chunkId), ct);

    /// <summary>An action of this monitor, for a change that logs it in its own transaction.</summary>
    public ActionInsertParams Entry(string kind, string reason, DateTimeOffset at, long? workerId = null, long? jobId = null, long? chunkId = null) =>
        new(Actor, kind, reason, at, Options.Node, workerId, jobId, chunkId);
}
