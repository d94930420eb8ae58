-- HeavyJobs schema v1 for SQLite. Times are Unix milliseconds; JSON columns are text.
CREATE TABLE hj_jobs (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    state TEXT NOT NULL,
    stages TEXT NOT NULL,
    parameters TEXT NOT NULL,
    priority INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    finished_at INTEGER NULL
);

CREATE TABLE hj_chunks (
    id INTEGER PRIMARY KEY,
    job_id INTEGER NOT NULL,
    stage INTEGER NOT NULL,
    type TEXT NOT NULL,
    state TEXT NOT NULL,
    priority INTEGER NOT NULL DEFAULT 0,
    progressed INTEGER NOT NULL DEFAULT 0,
    input TEXT NOT NULL,
    cursor TEXT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    good INTEGER NOT NULL DEFAULT 0,
    bad INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    crashes INTEGER NOT NULL DEFAULT 0,
    errors TEXT NOT NULL DEFAULT '[]',
    epoch INTEGER NOT NULL DEFAULT 0,
    lease_owner INTEGER NULL,
    lease_expires_at INTEGER NULL,
    holders TEXT NOT NULL DEFAULT '[]',
    dedupe_key TEXT NULL,
    run_after INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    started_at INTEGER NULL,
    finished_at INTEGER NULL
);

-- Serves the claim alone: pending chunks of a type, partly done first, then priority, then age.
CREATE INDEX hj_chunks_claim ON hj_chunks (type, progressed DESC, priority DESC, id) WHERE state = 'pending';
CREATE INDEX hj_chunks_job_state ON hj_chunks (job_id, state);
CREATE INDEX hj_chunks_lease ON hj_chunks (lease_expires_at) WHERE lease_owner IS NOT NULL;
CREATE INDEX hj_chunks_owner ON hj_chunks (lease_owner) WHERE lease_owner IS NOT NULL;
CREATE UNIQUE INDEX hj_chunks_dedupe ON hj_chunks (job_id, dedupe_key) WHERE dedupe_key IS NOT NULL;

CREATE TABLE hj_outputs (
    id INTEGER PRIMARY KEY,
    job_id INTEGER NOT NULL,
    chunk_id INTEGER NOT NULL,
    stage INTEGER NOT NULL,
    key TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX hj_outputs_job ON hj_outputs (job_id, stage, id);
CREATE INDEX hj_outputs_chunk ON hj_outputs (chunk_id);

CREATE TABLE hj_nodes (
    name TEXT PRIMARY KEY,
    boot_id TEXT NOT NULL,
    version TEXT NOT NULL,
    capacity INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL
);

CREATE TABLE hj_workers (
    id INTEGER PRIMARY KEY,
    node TEXT NOT NULL,
    pid INTEGER NOT NULL,
    types TEXT NOT NULL,
    version TEXT NOT NULL,
    state TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL,
    stopped_at INTEGER NULL,
    exit_reason TEXT NULL,
    current_chunk INTEGER NULL,
    cpu_percent REAL NOT NULL DEFAULT 0,
    rss_bytes INTEGER NOT NULL DEFAULT 0,
    items_per_s REAL NOT NULL DEFAULT 0,
    restarts INTEGER NOT NULL DEFAULT 0,
    stderr_tail TEXT NULL
);
CREATE INDEX hj_workers_node_state ON hj_workers (node, state);

CREATE TABLE hj_actions (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    node TEXT NULL,
    worker_id INTEGER NULL,
    job_id INTEGER NULL,
    chunk_id INTEGER NULL,
    reason TEXT NOT NULL
);
CREATE INDEX hj_actions_kind ON hj_actions (kind, id);
CREATE INDEX hj_actions_worker ON hj_actions (worker_id, id) WHERE worker_id IS NOT NULL;
CREATE INDEX hj_actions_chunk ON hj_actions (chunk_id, id) WHERE chunk_id IS NOT NULL;

CREATE TABLE hj_throughput (
    bucket INTEGER NOT NULL,
    worker_id INTEGER NOT NULL,
    type TEXT NOT NULL,
    stage INTEGER NOT NULL,
    items INTEGER NOT NULL,
    good INTEGER NOT NULL,
    bad INTEGER NOT NULL,
    PRIMARY KEY (bucket, worker_id, type, stage)
);
