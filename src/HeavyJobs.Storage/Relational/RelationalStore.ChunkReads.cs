using System.Data.Common;
using HeavyJobs.Core.Model;
using HeavyJobs.Storage.Chunks;

namespace HeavyJobs.Storage.Relational;

public abstract partial class RelationalStore
{
    public Task<ChunkRow?> ChunkGetAsync(long chunkId, CancellationToken cancellationToken) =>
        WithConnectionAsync(
            async connection => (await connection.Command($"SELECT {ChunkColumns} FROM hj_chunks WHERE id = @id")
                .With("id", chunkId)
                .ListAsync(ReadChunk, cancellationToken)).FirstOrDefault(),
            cancellationToken);

    private static readonly string[] FinishedStates = [.. Enum.GetValues<ChunkState>().Where(s => s.IsFinal()).Select(s => s.ToDb())];

    public Task<IReadOnlyList<ChunkRow>> ChunkListAsync(ChunkListParams p, CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<ChunkRow>>(
            async connection =>
            {
                string sql;
                if (p.JobId is not { } jobId)
                {
                    sql = $"SELECT {ChunkColumns} FROM hj_chunks WHERE 1 = 1{(p.State is null ? "" : " AND state = @state")}{(p.AfterId is null ? "" : " AND id > @after")} ORDER BY id LIMIT @limit";
                }
                else
                {
                    // A page of one job's chunks: short id-ordered ranges, each read from one index, merged.
                    var ranges = Dialect.JobStateIndexed
                        ? (p.State is { } only ? [only] : Enum.GetValues<ChunkState>()).Select(state => (Where: $"state = '{state.ToDb()}'", Id: "id")).ToList()
                        : await OpenAndSettledRangesAsync(connection, jobId, p.State, cancellationToken);
                    if (ranges.Count == 0)
                    {
                        return [];
                    }

                    sql = $"""
                          SELECT {ChunkColumns} FROM hj_chunks WHERE id IN ({string.Join(" UNION ALL ", ranges.Select((range, i) =>
                              $"SELECT id FROM (SELECT id FROM hj_chunks WHERE job_id = @job AND {range.Where}{(p.AfterId is null ? "" : $" AND {range.Id} > @after")} ORDER BY {range.Id} LIMIT @limit) AS r{i}"))})
                          ORDER BY id LIMIT @limit
                          """;
                }

                var command = connection.Command(sql).With("limit", Math.Clamp(p.Limit, 1, 100_000));
                if (p.JobId is { } job)
                {
                    command.With("job", job);
                }

                if (p is { JobId: null, State: { } state })
                {
                    command.With("state", state.ToDb());
                }

                if (p.AfterId is { } after)
                {
                    command.With("after", after);
                }

                return await command.ListAsync(ReadChunk, cancellationToken);
            },
            cancellationToken);

    public Task<IReadOnlyList<OutputRow>> OutputListAsync(OutputListParams p, CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<OutputRow>>(
            async connection =>
            {
                var sql = "SELECT id, job_id, chunk_id, stage, key, data, created_at FROM hj_outputs WHERE job_id = @job"
                    + (p.Stage is null ? "" : " AND stage = @stage")
                    + (p.AfterId is null ? "" : " AND id > @after")
                    + (p.ChunkId is null ? "" : " AND chunk_id = @chunk")
                    + (p.Keys is null ? "" : $" AND {Dialect.TextIn("key", "keys")}")
                    + " ORDER BY id LIMIT @limit";
                var command = connection.Command(sql).With("job", p.JobId).With("limit", Math.Clamp(p.Limit, 1, 1_000_000));
                if (p.ChunkId is { } chunk)
                {
                    command.With("chunk", chunk);
                }

                if (p.Stage is { } stage)
                {
                    command.With("stage", stage);
                }

                if (p.Keys is { } keys)
                {
                    if (keys.Count > OutputListParams.MaxKeys)
                    {
                        throw new ArgumentException($"an output read names at most {OutputListParams.MaxKeys:N0} keys, not {keys.Count:N0}", nameof(p));
                    }

                    Dialect.AddTextList(command, "keys", keys);
                }

                if (p.AfterId is { } after)
                {
                    command.With("after", after);
                }

                return await command.ListAsync(
                    r => new OutputRow(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt32(3), r.GetString(4), r.GetString(5), StoreTime.FromMs(r.GetInt64(6))),
                    cancellationToken);
            },
            cancellationToken);

    private ChunkRow ReadChunk(DbDataReader r) => new(
        r.GetInt64(0),
        r.GetInt64(1),
        r.GetInt32(2),
        r.GetString(3),
        ChunkStates.Parse(r.GetString(4)),
        r.GetInt32(5),
        r.GetString(6),
        r.NullableString(7),
        new ChunkCounters(r.GetInt64(8), r.GetInt64(9), r.GetInt64(10)),
        r.GetInt32(11),
        r.GetInt32(12),
        r.GetInt32(13),
        r.GetString(14),
        r.GetInt64(15),
        r.NullableInt64(16),
        StoreTime.FromMs(r.NullableInt64(17)),
        Dialect.ReadHolders(r, 18),
        StoreTime.FromMs(r.GetInt64(19)),
        StoreTime.FromMs(r.GetInt64(20)),
        StoreTime.FromMs(r.GetInt64(21)),
        StoreTime.FromMs(r.NullableInt64(22)),
        StoreTime.FromMs(r.NullableInt64(23)));

    /// <summary>
    /// The ranges of a job's page where no index names the state (SQLite, whose claims would rewrite it): open
    /// chunks by stage, settled ones by state, running ones among the held.
    /// </summary>
    private static async Task<List<(string Where, string Id)>> OpenAndSettledRangesAsync(DbConnection connection, long jobId, ChunkState? state, CancellationToken cancellationToken)
    {
        var ranges = new List<(string Where, string Id)>();
        if (state is null or ChunkState.Pending)
        {
            // The stages with open chunks, one index seek each. Pending chunks are read among the open: a stage
            // whose open chunks all wait for a barrier, or a paused job, is read through before it gives none.
            var stages = await connection.Command(
                    $"""
                    WITH RECURSIVE s(stage) AS (
                        SELECT MIN(stage) FROM hj_chunks WHERE job_id = @job AND {ChunkRanges.Open}
                        UNION ALL
                        SELECT (SELECT MIN(stage) FROM hj_chunks WHERE job_id = @job AND {ChunkRanges.Open} AND stage > s.stage) FROM s WHERE s.stage IS NOT NULL)
                    SELECT stage FROM s WHERE stage IS NOT NULL
                    """)
                .With("job", jobId).ListAsync(r => r.GetInt32(0), cancellationToken);
            var pending = state is null ? "" : " AND state = 'pending'";
            ranges.AddRange(stages.Select(stage => ($"stage = {stage} AND {ChunkRanges.Open}{pending}", "id")));
        }

        if (state is null)
        {
            ranges.AddRange(FinishedStates.Select(finished => ($"state = '{finished}' AND {ChunkRanges.Settled}", "id")));
        }
        else if (state == ChunkState.Running)
        {
            // Every running chunk has an owner: the few held chunks of the fleet, through hj_chunks_owner.
            // "+id" keeps SQLite from walking the whole table in id order instead.
            ranges.Add(("lease_owner IS NOT NULL AND state = 'running'", "+id"));
        }
        else if (state != ChunkState.Pending)
        {
            ranges.Add(($"state = '{state.Value.ToDb()}' AND {ChunkRanges.Settled}", "id"));
        }

        return ranges;
    }
}
