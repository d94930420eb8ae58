-- Desired worker counts per machine and type, and commands for monitors (stop, terminate, restart, drain).
CREATE TABLE hj_worker_targets (
    node TEXT NOT NULL,
    type TEXT NOT NULL,
    count INTEGER NOT NULL,
    -- Set by the node's monitor when workers of this type keep dying; note holds why (their last stderr lines).
    crash_looping INTEGER NOT NULL DEFAULT 0,
    note TEXT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (node, type)
);

CREATE TABLE hj_commands (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    node TEXT NOT NULL,
    kind TEXT NOT NULL,
    worker_id BIGINT NULL,
    actor TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    taken_at BIGINT NULL
);
CREATE INDEX hj_commands_open ON hj_commands (node, id) WHERE taken_at IS NULL;
