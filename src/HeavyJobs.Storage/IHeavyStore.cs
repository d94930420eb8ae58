using HeavyJobs.Storage.Actions;
using HeavyJobs.Storage.Changes;
using HeavyJobs.Storage.Dashboard;
using HeavyJobs.Storage.Chunks;
using HeavyJobs.Storage.Jobs;
using HeavyJobs.Storage.KeySets;
using HeavyJobs.Storage.Monitoring;
using HeavyJobs.Storage.Nodes;
using HeavyJobs.Storage.Pipelines;
using HeavyJobs.Storage.Politeness;
using HeavyJobs.Storage.Schedules;
using HeavyJobs.Storage.Throughput;
using HeavyJobs.Storage.Workers;

namespace HeavyJobs.Storage;

/// <summary>
/// The seam between HeavyJobs and its database. Methods are named entity then verb and take one parameter
/// record, so fields can be added without breaking callers. Every method that changes state takes the current
/// time as a parameter: the store never reads a clock, so the same calls give the same rows under test.
/// Both implementations pass one conformance suite (tests/HeavyJobs.Storage.Conformance).
/// </summary>
public interface IHeavyStore : IAsyncDisposable
{
    /// <summary>"sqlite" or "postgres".</summary>
    string Kind { get; }

    /// <summary>Brings the schema to the latest version; safe to run from several processes at once.</summary>
    Task<MigrationResult> MigrateAsync(CancellationToken cancellationToken);

    Task<JobInserted> JobInsertAsync(JobInsertParams p, CancellationToken cancellationToken);

    Task<JobRow?> JobGetAsync(long jobId, CancellationToken cancellationToken);

    Task<IReadOnlyList<JobSummary>> JobListAsync(JobListParams p, CancellationToken cancellationToken);

    /// <summary>One job's chunks counted per stage and state: what per-stage progress and ETA are made of.</summary>
    Task<IReadOnlyList<StageStateCount>> JobStageCountsAsync(JobStageCountsParams p, CancellationToken cancellationToken);

    Task<bool> JobCancelAsync(JobChangeParams p, CancellationToken cancellationToken);

    Task<bool> JobPauseAsync(JobChangeParams p, CancellationToken cancellationToken);

    Task<bool> JobResumeAsync(JobChangeParams p, CancellationToken cancellationToken);

    /// <summary>Marks active jobs with no chunk left to run as completed (or failed, if a chunk failed).</summary>
    Task<IReadOnlyList<long>> JobFinishCompletedAsync(JobFinishParams p, CancellationToken cancellationToken);

    /// <summary>Releases barrier stages whose earlier stages have nothing left to run.</summary>
    Task<IReadOnlyList<StageReleased>> JobAdvanceStagesAsync(JobAdvanceParams p, CancellationToken cancellationToken);

    Task<long> ScheduleUpsertAsync(ScheduleUpsertParams p, CancellationToken cancellationToken);

    Task<IReadOnlyList<ScheduleRow>> ScheduleListAsync(CancellationToken cancellationToken);

    Task ScheduleAdvanceAsync(ScheduleAdvanceParams p, CancellationToken cancellationToken);

    /// <summary>Reserves a start time for one request to an external server, spaced fleet-wide.</summary>
    Task<DateTimeOffset> RateReserveAsync(RateReserveParams p, CancellationToken cancellationToken);

    /// <summary>Whether any job is active, and when the next schedule and the next lease fall due.</summary>
    Task<ManagerAgenda> ManagerAgendaAsync(CancellationToken cancellationToken);

    /// <summary>Whether a turn reserved at <see cref="RateTurnParams.ReservedAt"/> may still be used: false once the server pushed back since.</summary>
    Task<bool> RateTurnStandsAsync(RateTurnParams p, CancellationToken cancellationToken);

    /// <summary>Pauses and then slows every worker's starts at a server that pushed back.</summary>
    Task<RateBackOff> RateBackOffAsync(RateBackOffParams p, CancellationToken cancellationToken);

    /// <summary>Adds keys to a key set; returns how many were new.</summary>
    Task<long> KeySetLoadAsync(KeySetLoadParams p, CancellationToken cancellationToken);

    /// <summary>The keys of a set that need a refresh, never-refreshed and oldest first.</summary>
    Task<IReadOnlyList<string>> KeySetStaleAsync(KeySetStaleParams p, CancellationToken cancellationToken);

    /// <summary>The keys of a job's key set with their latest records (empty when the job has no key set).</summary>
    Task<IReadOnlyList<KeySetEntry>> KeySetReadAsync(KeySetReadParams p, CancellationToken cancellationToken);

    /// <summary>How many keys each set (or one set) holds, and how many are stale.</summary>
    Task<IReadOnlyList<KeySetStatus>> KeySetStatusAsync(KeySetStatusParams p, CancellationToken cancellationToken);

    /// <summary>Takes a free concurrency slot of a server; null when all are busy.</summary>
    Task<int?> ServerSlotAcquireAsync(ServerSlotAcquireParams p, CancellationToken cancellationToken);

    Task ServerSlotReleaseAsync(ServerSlotReleaseParams p, CancellationToken cancellationToken);

    Task<IReadOnlyList<ClaimedChunk>> ChunkClaimAsync(ChunkClaimParams p, CancellationToken cancellationToken);

    /// <summary>Which of the given types have a chunk ready to claim now: one cheap query before waking idle workers.</summary>
    Task<IReadOnlyList<string>> ChunkReadyTypesAsync(IReadOnlyList<string> types, DateTimeOffset now, CancellationToken cancellationToken);

    Task<CheckpointOutcome> ChunkCheckpointAsync(ChunkCheckpointParams p, CancellationToken cancellationToken);

    /// <summary>Completes many held chunks at once; returns the ids that were completed (the others were no longer held).</summary>
    Task<IReadOnlyList<long>> ChunkCompleteManyAsync(ChunkCompleteManyParams p, CancellationToken cancellationToken);

    /// <summary>Completes a batch and takes the next claim in one transaction: a busy worker's one write per round.</summary>
    Task<CompletedAndClaimed> ChunkCompleteAndClaimAsync(ChunkCompleteAndClaimParams p, CancellationToken cancellationToken);

    Task<FailOutcome> ChunkFailAsync(ChunkFailParams p, CancellationToken cancellationToken);

    /// <summary>Gives a held chunk back at its last checkpoint (a graceful stop); counts no attempt.</summary>
    Task<bool> ChunkReleaseAsync(ChunkReleaseParams p, CancellationToken cancellationToken);

    /// <summary>Extends the leases of every chunk the workers hold, in one statement; returns what they still hold.</summary>
    Task<IReadOnlyList<HeldChunk>> ChunkLeaseExtendAsync(ChunkLeaseExtendParams p, CancellationToken cancellationToken);

    /// <summary>Returns chunks whose lease ran out to the pool, cursor kept, and counts the crash.</summary>
    Task<IReadOnlyList<ReclaimedChunk>> ChunkReclaimExpiredAsync(ChunkReclaimExpiredParams p, CancellationToken cancellationToken);

    /// <summary>Returns the chunks of a worker known to be dead to the pool at once, cursor kept, and counts the crash.</summary>
    Task<IReadOnlyList<ReclaimedChunk>> ChunkReclaimByWorkerAsync(ChunkReclaimByWorkerParams p, CancellationToken cancellationToken);

    /// <summary>Resets a chunk to zero or to its last checkpoint; bumps the epoch so its holder can commit nothing more.</summary>
    Task<bool> ChunkResetAsync(ChunkResetParams p, CancellationToken cancellationToken);

    Task<ChunkRow?> ChunkGetAsync(long chunkId, CancellationToken cancellationToken);

    Task<IReadOnlyList<ChunkRow>> ChunkListAsync(ChunkListParams p, CancellationToken cancellationToken);

    Task<IReadOnlyList<OutputRow>> OutputListAsync(OutputListParams p, CancellationToken cancellationToken);

    Task NodeUpsertAsync(NodeUpsertParams p, CancellationToken cancellationToken);

    Task<IReadOnlyList<NodeRow>> NodeListAsync(CancellationToken cancellationToken);

    Task<long> WorkerRegisterAsync(WorkerRegisterParams p, CancellationToken cancellationToken);

    /// <summary>Records the state of many workers at once (a monitor's heartbeat for all its workers).</summary>
    Task WorkerUpdateManyAsync(WorkerUpdateManyParams p, CancellationToken cancellationToken);

    Task<IReadOnlyList<WorkerRow>> WorkerListAsync(WorkerListParams p, CancellationToken cancellationToken);

    /// <summary>Sets how many workers of a type should run on a machine; wakes its monitor.</summary>
    Task WorkerTargetSetAsync(WorkerTargetSetParams p, CancellationToken cancellationToken);

    Task WorkerTargetHealthAsync(WorkerTargetHealthParams p, CancellationToken cancellationToken);

    Task<IReadOnlyList<WorkerTargetRow>> WorkerTargetListAsync(string? node, CancellationToken cancellationToken);

    /// <summary>Queues a command for a machine's monitor; wakes it.</summary>
    Task<long> CommandInsertAsync(CommandInsertParams p, CancellationToken cancellationToken);

    Task<IReadOnlyList<CommandRow>> CommandTakeAsync(CommandTakeParams p, CancellationToken cancellationToken);

    Task ActionInsertAsync(ActionInsertParams p, CancellationToken cancellationToken);

    Task<IReadOnlyList<ActionRow>> ActionListAsync(ActionListParams p, CancellationToken cancellationToken);

    /// <summary>Adds samples into per-minute buckets (upsert), in one statement.</summary>
    Task ThroughputAddAsync(ThroughputAddParams p, CancellationToken cancellationToken);

    Task<IReadOnlyList<ThroughputRow>> ThroughputListAsync(ThroughputListParams p, CancellationToken cancellationToken);

    /// <summary>
    /// Recounts chunks per job, stage and state into the roll-up the dashboard reads. The counting reads outside any
    /// write transaction, and nothing on the workers' path writes the roll-up, so claims and checkpoints never wait on it.
    /// </summary>
    Task<JobStatsRefreshed> JobStatsRefreshAsync(JobStatsRefreshParams p, CancellationToken cancellationToken);

    /// <summary>The last recount of the given jobs; a job never counted is absent.</summary>
    Task<IReadOnlyList<JobStats>> JobStatsListAsync(JobStatsListParams p, CancellationToken cancellationToken);

    /// <summary>Folds closed hours of per-minute throughput into hourly rows; safe to repeat and to run from several processes.</summary>
    Task<ThroughputRolledUp> ThroughputRollUpAsync(ThroughputRollUpParams p, CancellationToken cancellationToken);

    /// <summary>A watcher that wakes when the store may have new work (NOTIFY on PostgreSQL, the file's change counter on SQLite).</summary>
    IChangeWatcher CreateChangeWatcher();
}
