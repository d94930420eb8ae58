using System.Data.Common;
using System.Globalization;
using HeavyJobs.Storage.Retention;

namespace HeavyJobs.Storage.Relational;

public abstract partial class RelationalStore
{
    private const string FinishedJobStates = "state IN ('completed', 'failed', 'cancelled')";

    /// <summary>A finished job old enough to go that still has chunks (or was never marked): unqualified inside, so SQLite matches hj_chunks_settled.</summary>
    private static readonly string PrunableJob =
        $"{FinishedJobStates} AND finished_at < @jobsBefore AND (pruned_at IS NULL OR EXISTS (SELECT 1 FROM hj_chunks WHERE job_id = hj_jobs.id AND {ChunkRanges.Finished}))";

    /// <summary>Outputs of every stage before the job's last: the last stage's outputs are its result (aggregates, totals) and stay.</summary>
    private const string NotLastStage = "stage < (SELECT COALESCE(MAX(s.stage), 0) FROM hj_job_stages s WHERE s.job_id = hj_outputs.job_id)";

    public Task<PruneCounts> PruneCountAsync(PruneParams p, CancellationToken cancellationToken) =>
        WithConnectionAsync(
            async connection =>
            {
                var throughputBefore = await ThroughputPrunableBeforeAsync(connection, p, cancellationToken);
                var finished = $"job_id IN (SELECT id FROM hj_jobs WHERE {FinishedJobStates} AND finished_at < @jobsBefore)";
                async Task<long> Count(string sql) =>
                    Convert.ToInt64(await Bind(connection.Command(sql), p, ("throughputBefore", throughputBefore)).ScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
                return new PruneCounts(
                    await Count($"SELECT COUNT(*) FROM hj_jobs WHERE {FinishedJobStates} AND finished_at < @jobsBefore AND pruned_at IS NULL"),
                    await Count($"SELECT COUNT(*) FROM hj_chunks WHERE {finished} AND {ChunkRanges.Finished}"),
                    await Count($"SELECT COUNT(*) FROM hj_outputs WHERE {finished} AND {NotLastStage}"),
                    await Count("SELECT COUNT(*) FROM hj_actions WHERE at < @actionsBefore"),
                    await Count("SELECT COUNT(*) FROM hj_throughput WHERE bucket < @throughputBefore"),
                    await Count("SELECT COUNT(*) FROM hj_workers WHERE state = 'exited' AND stopped_at < @workersBefore"),
                    await Count("SELECT COUNT(*) FROM hj_commands WHERE taken_at IS NOT NULL AND taken_at < @commandsBefore"));
            },
            cancellationToken);

    public async Task<PruneCounts> PruneBatchAsync(PruneParams p, CancellationToken cancellationToken)
    {
        var (jobs, chunks, outputs) = await PruneJobBatchAsync(p, cancellationToken);
        var throughputBefore = await WithConnectionAsync(c => ThroughputPrunableBeforeAsync(c, p, cancellationToken), cancellationToken);
        // Minute rows go a bucket at a time, up to the bucket that holds the batch's last row.
        var throughputUpto = await WithConnectionAsync(
            async connection =>
            {
                var at = await Bind(connection.Command("SELECT bucket FROM hj_throughput WHERE bucket < @throughputBefore ORDER BY bucket LIMIT 1 OFFSET @batch"), p, ("throughputBefore", throughputBefore))
                    .ScalarAsync(cancellationToken);
                if (at is null)
                {
                    return throughputBefore;
                }

                var first = Convert.ToInt64(await connection.Command("SELECT MIN(bucket) FROM hj_throughput").ScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
                var upto = Convert.ToInt64(at, CultureInfo.InvariantCulture);
                return upto > first ? upto : first + 1;
            },
            cancellationToken);

        return new PruneCounts(
            jobs,
            chunks,
            outputs,
            await DeleteAsync("DELETE FROM hj_actions WHERE id IN (SELECT id FROM hj_actions WHERE at < @actionsBefore ORDER BY id LIMIT @batch)", p, cancellationToken),
            await DeleteAsync("DELETE FROM hj_throughput WHERE bucket < @throughputUpto", p, cancellationToken, ("throughputUpto", throughputUpto)),
            await DeleteAsync("DELETE FROM hj_workers WHERE id IN (SELECT id FROM hj_workers WHERE state = 'exited' AND stopped_at < @workersBefore ORDER BY id LIMIT @batch)", p, cancellationToken),
            await DeleteAsync("DELETE FROM hj_commands WHERE id IN (SELECT id FROM hj_commands WHERE taken_at IS NOT NULL AND taken_at < @commandsBefore ORDER BY id LIMIT @batch)", p, cancellationToken));
    }

    /// <summary>One batch of the oldest prunable job: its recount and mark first, then outputs, then chunks.</summary>
    private async Task<(long Jobs, long Chunks, long Outputs)> PruneJobBatchAsync(PruneParams p, CancellationToken cancellationToken)
    {
        var job = await WithConnectionAsync(
            async connection => (await Bind(connection.Command($"SELECT id, pruned_at FROM hj_jobs WHERE {PrunableJob} ORDER BY finished_at, id LIMIT 1"), p)
                .ListAsync(r => (Id: r.GetInt64(0), Marked: !r.IsDBNull(1)), cancellationToken)).FirstOrDefault(),
            cancellationToken);
        if (job.Id == 0)
        {
            return (0, 0, 0);
        }

        long marked = 0;
        if (!job.Marked)
        {
            // Its counts as they end, before the first chunk goes; pages read them from here on.
            await JobStatsRecountAsync([job.Id], StoreTime.ToMs(p.Now), cancellationToken);
            marked = await DeleteAsync("UPDATE hj_jobs SET pruned_at = @now WHERE id = @job AND pruned_at IS NULL", p, cancellationToken, ("job", job.Id));
        }

        var outputs = await DeleteAsync(
            $"DELETE FROM hj_outputs WHERE id IN (SELECT id FROM hj_outputs WHERE job_id = @job AND {NotLastStage} ORDER BY job_id, stage, id LIMIT @batch)",
            p,
            cancellationToken,
            ("job", job.Id));
        // Chunks only once the outputs are gone, so a job with chunks left is one a later pass comes back to.
        var chunks = outputs > 0 ? 0 : await PruneChunksAsync(job.Id, p, cancellationToken);
        return (marked, chunks, outputs);
    }

    /// <summary>A batch of the job's finished chunks, with their history (holders and kept checkpoints) in the same transaction.</summary>
    private Task<long> PruneChunksAsync(long jobId, PruneParams p, CancellationToken cancellationToken) =>
        InTransactionAsync(
            async (connection, transaction) =>
            {
                var ids = await Bind(connection.Command($"SELECT id FROM hj_chunks WHERE job_id = @job AND {ChunkRanges.Finished} LIMIT @batch", transaction), p, ("job", jobId))
                    .ListAsync(r => r.GetInt64(0), cancellationToken);
                if (ids.Count == 0)
                {
                    return 0L;
                }

                foreach (var table in new[] { "hj_chunk_holds", "hj_chunk_checkpoints" })
                {
                    var history = connection.Command("", transaction);
                    history.CommandText = $"DELETE FROM {table} WHERE chunk_id IN ({history.InList("c", ids)})";
                    await history.ExecAsync(cancellationToken);
                }

                var command = connection.Command("", transaction);
                command.CommandText = $"DELETE FROM hj_chunks WHERE id IN ({command.InList("c", ids)})";
                return (long)await command.ExecAsync(cancellationToken);
            },
            cancellationToken);

    /// <summary>Which of these jobs were pruned: their counts come from hj_job_stats, not from their chunks.</summary>
    private static async Task<HashSet<long>> PrunedJobIdsAsync(DbConnection connection, IReadOnlyList<long> jobIds, CancellationToken cancellationToken)
    {
        var command = connection.Command("");
        command.CommandText = $"SELECT id FROM hj_jobs WHERE id IN ({command.InList("j", jobIds)}) AND pruned_at IS NOT NULL";
        return [.. await command.ListAsync(r => r.GetInt64(0), cancellationToken)];
    }

    /// <summary>Minute rows may go below the cut-off and below what both roll-ups are complete up to.</summary>
    private static async Task<long> ThroughputPrunableBeforeAsync(DbConnection connection, PruneParams p, CancellationToken cancellationToken)
    {
        var before = StoreTime.ToMs(p.ThroughputBefore);
        foreach (var (table, _) in ThroughputLevels)
        {
            before = Math.Min(before, await RollUpMarkAsync(connection, table, cancellationToken) ?? 0);
        }

        return before;
    }

    private Task<long> DeleteAsync(string sql, PruneParams p, CancellationToken cancellationToken, params (string Name, long Value)[] extra) =>
        InTransactionAsync(
            async (connection, transaction) =>
            {
                return (long)await Bind(connection.Command(sql, transaction), p, extra).ExecAsync(cancellationToken);
            },
            cancellationToken);

    /// <summary>The cut-offs (and <paramref name="extra"/> values) a statement names, and only those, so every statement shares one list.</summary>
    private static DbCommand Bind(DbCommand command, PruneParams p, params (string Name, long Value)[] extra)
    {
        foreach (var (name, value) in extra.Concat(
        [
            ("now", StoreTime.ToMs(p.Now)), ("jobsBefore", StoreTime.ToMs(p.JobsFinishedBefore)), ("actionsBefore", StoreTime.ToMs(p.ActionsBefore)),
            ("workersBefore", StoreTime.ToMs(p.WorkersBefore)), ("commandsBefore", StoreTime.ToMs(p.CommandsBefore)), ("batch", Math.Max(1, p.Batch)),
        ]))
        {
            if (command.CommandText.Contains("@" + name, StringComparison.Ordinal))
            {
                command.With(name, value);
            }
        }

        return command;
    }
}
