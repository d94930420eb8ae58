namespace HeavyJobs.Storage.Relational;

/// <summary>
/// The predicates that select one of the job-scoped chunk indexes, written exactly as the indexes' WHERE:
/// SQLite uses a partial index only when a query's WHERE contains the index's own predicate. Queries keep
/// their state conditions too, which PostgreSQL's (job_id, state) index serves. In a subquery they stay
/// unqualified: the name resolves to the innermost hj_chunks, and SQLite matches it to the index.
/// </summary>
/// <remarks>
/// finished_at is set exactly when a chunk is done, failed, quarantined or cancelled, so
/// <see cref="Open"/> and <see cref="Finished"/> split a job's chunks in two.
/// </remarks>
internal static class ChunkRanges
{
    /// <summary>Unfinished chunks (pending, running, paused, waiting): hj_chunks_open (job_id, stage) on SQLite.</summary>
    public const string Open = "finished_at IS NULL";

    /// <summary>Chunks neither pending nor running: hj_chunks_settled (job_id, state) on SQLite.</summary>
    public const string Settled = "state NOT IN ('pending', 'running')";

    /// <summary>Finished chunks, through the settled index.</summary>
    public const string Finished = "finished_at IS NOT NULL AND " + Settled;

    /// <summary>The states a chunk can still run from, for the state condition PostgreSQL's index serves.</summary>
    public const string OpenStates = "state IN ('pending', 'running', 'paused', 'waiting')";

    /// <summary>
    /// <paramref name="columns"/> of every chunk matching <paramref name="where"/>, read as the open part and
    /// the finished part so that each goes through an index (no index serves a job's chunks in every state).
    /// </summary>
    public static string OfJobs(string columns, string where) =>
        $"SELECT {columns} FROM hj_chunks WHERE {where} AND {Open} UNION ALL SELECT {columns} FROM hj_chunks WHERE {where} AND {Finished}";
}
