using HeavyJobs.Core.Model;

namespace HeavyJobs.Runtime.Worker;

/// <summary>A snapshot of a worker: what it does and how far it got (items include work not yet checkpointed).</summary>
public sealed record WorkerStatus(WorkerState State, IReadOnlyList<long> Chunks, long Items, long Good, long Bad, long Checkpoints);
