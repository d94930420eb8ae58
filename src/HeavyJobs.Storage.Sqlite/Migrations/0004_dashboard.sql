-- The dashboard's roll-ups, kept off the workers' path: nothing here is written by a claim, checkpoint or completion.

-- Chunks per job, stage and state with their summed counters, recounted from hj_chunks by JobStatsRefreshAsync
-- (the dashboard does it every few seconds, less often the longer a recount takes). refreshed_at is when.
CREATE TABLE hj_job_stats (
    job_id INTEGER NOT NULL,
    stage INTEGER NOT NULL,
    state TEXT NOT NULL,
    chunks INTEGER NOT NULL,
    done INTEGER NOT NULL,
    good INTEGER NOT NULL,
    bad INTEGER NOT NULL,
    PRIMARY KEY (job_id, stage, state)
);
CREATE TABLE hj_job_stats_jobs (
    job_id INTEGER PRIMARY KEY,
    refreshed_at INTEGER NOT NULL
);

-- Per-minute throughput folded into 10-minute and 2-hour buckets once a bucket is closed, so a chart of a day,
-- a week or a month reads a few thousand rows per worker at most.
CREATE TABLE hj_throughput_10m (
    bucket INTEGER NOT NULL,
    worker_id INTEGER NOT NULL,
    type TEXT NOT NULL,
    stage INTEGER NOT NULL,
    items INTEGER NOT NULL,
    good INTEGER NOT NULL,
    bad INTEGER NOT NULL,
    PRIMARY KEY (bucket, worker_id, type, stage)
);
CREATE TABLE hj_throughput_2h (
    bucket INTEGER NOT NULL,
    worker_id INTEGER NOT NULL,
    type TEXT NOT NULL,
    stage INTEGER NOT NULL,
    items INTEGER NOT NULL,
    good INTEGER NOT NULL,
    bad INTEGER NOT NULL,
    PRIMARY KEY (bucket, worker_id, type, stage)
);
-- How far each roll-up table is complete (exclusive, Unix ms), by table name.
CREATE TABLE hj_rollup_marks (
    name TEXT PRIMARY KEY,
    upto INTEGER NOT NULL
);

-- The action log filtered by machine, newest first.
CREATE INDEX hj_actions_node ON hj_actions (node, id) WHERE node IS NOT NULL;
-- The action log filtered by job.
CREATE INDEX hj_actions_job ON hj_actions (job_id, id) WHERE job_id IS NOT NULL;

