-- Stages of each job (so the store knows which are barriers), schedules, and fleet-wide politeness per
-- external server (rate spacing and concurrency slots shared by every worker).
CREATE TABLE hj_job_stages (
    job_id BIGINT NOT NULL,
    stage INTEGER NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    mode TEXT NOT NULL,
    released INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (job_id, stage)
);

CREATE TABLE hj_schedules (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    cron TEXT NOT NULL,
    definition TEXT NOT NULL,
    catch_up TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    next_run_at BIGINT NOT NULL,
    last_run_at BIGINT NULL,
    last_job_id BIGINT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE hj_rate_limits (
    server TEXT PRIMARY KEY,
    next_at BIGINT NOT NULL
);

CREATE TABLE hj_server_slots (
    server TEXT NOT NULL,
    slot INTEGER NOT NULL,
    busy_until BIGINT NOT NULL,
    PRIMARY KEY (server, slot)
);
