-- The dashboard's roll-ups, kept off the workers' path: nothing here is written by a claim, checkpoint or completion.

-- Chunks per job, stage and state with their summed counters, recounted from hj_chunks by JobStatsRefreshAsync
-- (the dashboard does it every few seconds, less often the longer a recount takes). refreshed_at is when.
CREATE TABLE hj_job_stats (
    job_id BIGINT NOT NULL,
    stage INTEGER NOT NULL,
    state TEXT NOT NULL,
    chunks BIGINT NOT NULL,
    done BIGINT NOT NULL,
    good BIGINT NOT NULL,
    bad BIGINT NOT NULL,
    PRIMARY KEY (job_id, stage, state)
);
CREATE TABLE hj_job_stats_jobs (
    job_id BIGINT PRIMARY KEY,
    refreshed_at BIGINT NOT NULL
);

-- Per-minute throughput folded into 10-minute and 2-hour buckets once a bucket is closed, so a chart of a day,
-- a week or a month reads a few thousand rows per worker at most.
CREATE TABLE hj_throughput_10m (
    bucket BIGINT NOT NULL,
    worker_id BIGINT NOT NULL,
    type TEXT NOT NULL,
    stage INTEGER NOT NULL,
    items BIGINT NOT NULL,
    good BIGINT NOT NULL,
    bad BIGINT NOT NULL,
    PRIMARY KEY (bucket, worker_id, type, stage)
);
CREATE TABLE hj_throughput_2h (
    bucket BIGINT NOT NULL,
    worker_id BIGINT NOT NULL,
    type TEXT NOT NULL,
    stage INTEGER NOT NULL,
    items BIGINT NOT NULL,
    good BIGINT NOT NULL,
    bad BIGINT NOT NULL,
    PRIMARY KEY (bucket, worker_id, type, stage)
);
-- How far each roll-up table is complete (exclusive, Unix ms), by table name.
CREATE TABLE hj_rollup_marks (
    name TEXT PRIMARY KEY,
    upto BIGINT NOT NULL
);

-- The action log filtered by machine, newest first.
CREATE INDEX hj_actions_node ON hj_actions (node, id) WHERE node IS NOT NULL;
-- The action log filtered by job.
CREATE INDEX hj_actions_job ON hj_actions (job_id, id) WHERE job_id IS NOT NULL;

-- A job's chunks in one state, paged by id: the index's own order, no sort. It replaces (job_id, state), so an
-- update of a chunk maintains no more index entries than before. (SQLite's index already ends with the rowid.)
CREATE INDEX hj_chunks_job_state_id ON hj_chunks (job_id, state, id);
DROP INDEX hj_chunks_job_state;
