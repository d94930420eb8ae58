-- Job-scoped indexes that a chunk's claim does not touch and its completion touches once each.
-- SQLite rewrites the entries of every index that names a column an UPDATE sets, whatever the value, and
-- the claim sets state: (job_id, state) cost every chunk a delete and an insert when claimed and again when
-- completed. A partial index costs nothing for a row that is outside it both before and after an update.
--   hj_chunks_open: unfinished chunks by job and stage. The claim sets no column it names; a completion
--     deletes its entry. Serves "is anything of this job (or of the stages before this one) still open".
--   hj_chunks_settled: chunks neither pending nor running, by job and state. A claim's row is outside it
--     before and after; a completion inserts its entry. Serves the per-state pages (done, failed, paused...).
-- Running chunks are found through hj_chunks_owner, pending ones through hj_chunks_open. Queries must name
-- these predicates literally ("finished_at IS NULL", "state NOT IN ('pending', 'running')", see ChunkRanges):
-- SQLite uses a partial index only when the query's WHERE contains its WHERE.
-- finished_at is set exactly when the state is done, failed, quarantined or cancelled.
DROP INDEX IF EXISTS hj_chunks_job_state;
CREATE INDEX hj_chunks_open ON hj_chunks (job_id, stage) WHERE finished_at IS NULL;
CREATE INDEX hj_chunks_settled ON hj_chunks (job_id, state) WHERE state NOT IN ('pending', 'running');
