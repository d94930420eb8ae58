-- HeavyJobs schema v1 for PostgreSQL. Times are Unix milliseconds (bigint), as on SQLite.
CREATE TABLE hj_jobs (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL,
    state TEXT NOT NULL,
    stages TEXT NOT NULL,
    parameters TEXT NOT NULL,
    priority INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    finished_at BIGINT NULL
);

CREATE TABLE hj_chunks (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id BIGINT NOT NULL,
    stage INTEGER NOT NULL,
    type TEXT NOT NULL,
    state TEXT NOT NULL,
    priority INTEGER NOT NULL DEFAULT 0,
    progressed INTEGER NOT NULL DEFAULT 0,
    input TEXT NOT NULL,
    cursor TEXT NULL,
    done BIGINT NOT NULL DEFAULT 0,
    good BIGINT NOT NULL DEFAULT 0,
    bad BIGINT NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    crashes INTEGER NOT NULL DEFAULT 0,
    errors JSONB NOT NULL DEFAULT '[]',
    epoch BIGINT NOT NULL DEFAULT 0,
    lease_owner BIGINT NULL,
    lease_expires_at BIGINT NULL,
    holders BIGINT[] NOT NULL DEFAULT '{}',
    dedupe_key TEXT NULL,
    run_after BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    started_at BIGINT NULL,
    finished_at BIGINT NULL
);

-- Serves the claim alone: pending chunks of a type, partly done first, then priority, then age.
CREATE INDEX hj_chunks_claim ON hj_chunks (type, progressed DESC, priority DESC, id) WHERE state = 'pending';
CREATE INDEX hj_chunks_job_state ON hj_chunks (job_id, state);
CREATE INDEX hj_chunks_lease ON hj_chunks (lease_expires_at) WHERE lease_owner IS NOT NULL;
CREATE INDEX hj_chunks_owner ON hj_chunks (lease_owner) WHERE lease_owner IS NOT NULL;
CREATE UNIQUE INDEX hj_chunks_dedupe ON hj_chunks (job_id, dedupe_key) WHERE dedupe_key IS NOT NULL;

CREATE TABLE hj_outputs (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id BIGINT NOT NULL,
    chunk_id BIGINT NOT NULL,
    stage INTEGER NOT NULL,
    key TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX hj_outputs_job ON hj_outputs (job_id, stage, id);
CREATE INDEX hj_outputs_chunk ON hj_outputs (chunk_id);

CREATE TABLE hj_nodes (
    name TEXT PRIMARY KEY,
    boot_id TEXT NOT NULL,
    version TEXT NOT NULL,
    capacity INTEGER NOT NULL,
    started_at BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL
);

CREATE TABLE hj_workers (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    node TEXT NOT NULL,
    pid INTEGER NOT NULL,
    types TEXT NOT NULL,
    version TEXT NOT NULL,
    state TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL,
    stopped_at BIGINT NULL,
    exit_reason TEXT NULL,
    current_chunk BIGINT NULL,
    cpu_percent DOUBLE PRECISION NOT NULL DEFAULT 0,
    rss_bytes BIGINT NOT NULL DEFAULT 0,
    items_per_s DOUBLE PRECISION NOT NULL DEFAULT 0,
    restarts INTEGER NOT NULL DEFAULT 0,
    stderr_tail TEXT NULL
);
CREATE INDEX hj_workers_node_state ON hj_workers (node, state);

CREATE TABLE hj_actions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    node TEXT NULL,
    worker_id BIGINT NULL,
    job_id BIGINT NULL,
    chunk_id BIGINT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX hj_actions_kind ON hj_actions (kind, id);
CREATE INDEX hj_actions_worker ON hj_actions (worker_id, id) WHERE worker_id IS NOT NULL;
CREATE INDEX hj_actions_chunk ON hj_actions (chunk_id, id) WHERE chunk_id IS NOT NULL;

CREATE TABLE hj_throughput (
    bucket BIGINT NOT NULL,
    worker_id BIGINT NOT NULL,
    type TEXT NOT NULL,
    stage INTEGER NOT NULL,
    items BIGINT NOT NULL,
    good BIGINT NOT NULL,
    bad BIGINT NOT NULL,
    PRIMARY KEY (bucket, worker_id, type, stage)
);
