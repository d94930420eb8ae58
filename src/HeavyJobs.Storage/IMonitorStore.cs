using HeavyJobs.Storage.Fleet;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Monitoring;
using HeavyJobs.Storage.Nodes;

namespace HeavyJobs.Storage;

/// <summary>What a machine's monitor needs beyond its workers' calls (and the operators' commands it carries out): its machine row, its commands and targets, and returning a dead worker's chunks.</summary>
public interface IMonitorStore : IWorkerStore, IOperatorStore, IStoreLocks
{
    Task NodeUpsertAsync(NodeUpsertParams p, CancellationToken cancellationToken);

    /// <summary>The monitor that holds the machine's name takes its row; says what the row was before.</summary>
    Task<NodeJoined> NodeJoinAsync(NodeJoinParams p, CancellationToken cancellationToken);

    /// <summary>The machine's heartbeat: one statement; says whether the fleet had declared it dead and whether it is drained.</summary>
    Task<NodeBeat> NodeBeatAsync(NodeBeatParams p, CancellationToken cancellationToken);

    Task<IReadOnlyList<CommandRow>> CommandTakeAsync(CommandTakeParams p, CancellationToken cancellationToken);

    Task WorkerTargetHealthAsync(WorkerTargetHealthParams p, CancellationToken cancellationToken);

    /// <summary>Returns the chunks of a worker known to be dead to the pool at once, cursor kept, and counts the crash.</summary>
    Task<IReadOnlyList<ReclaimedChunk>> ChunkReclaimByWorkerAsync(ChunkReclaimByWorkerParams p, CancellationToken cancellationToken);

    /// <summary>Which of the given types have a chunk ready to claim now: one cheap query before waking idle workers.</summary>
    Task<IReadOnlyList<string>> ChunkReadyTypesAsync(IReadOnlyList<string> types, DateTimeOffset now, CancellationToken cancellationToken);
}
