using HeavyJobs.Storage.Throughput;

namespace HeavyJobs.Runtime.Worker;

/// <summary>
/// What a worker needs from its surroundings: who it is, how it is woken when idle, and where its progress
/// goes. A foreground worker looks after itself (<see cref="StandaloneWorkerHost"/>); a worker under a monitor
/// hears and reports over its pipes, and the monitor heartbeats its leases.
/// </summary>
public interface IWorkerHost
{
    /// <summary>Registers the worker (or learns the id its monitor gave it).</summary>
    Task<long> StartAsync(IReadOnlyList<string> types, CancellationToken cancellationToken);

    /// <summary>Waits for a hint that work may exist, or the timeout.</summary>
    Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>The worker's state changed, or a heartbeat is due.</summary>
    void Report(WorkerStatus status);

    /// <summary>
    /// The chunks whose handlers run now: called before each handler starts (with its chunk among them), and when
    /// a slot runs out of chunks. A host whose monitor returns a dead worker's chunks passes it on before returning,
    /// so that a death counts only for these, and a chunk that kills its process the instant it starts still does.
    /// </summary>
    void Running(IReadOnlyCollection<long> chunks);

    /// <summary>Committed work, for the per-worker throughput buckets.</summary>
    void Record(ThroughputSample sample);

    /// <summary>Called on the heartbeat interval: report, and extend leases if this host owns them; returns chunks no longer held.</summary>
    Task<IReadOnlyCollection<long>> HeartbeatAsync(WorkerStatus status, CancellationToken cancellationToken);

    /// <summary>How long running handlers get once stopping, if the host knows better than the worker's options.</summary>
    TimeSpan? StopGrace { get; }

    Task StopAsync(string reason, CancellationToken cancellationToken);
}
