-- Fleet-wide slow-down of a server that pushed back, and key sets: the keys a refresh job is cut from, each
-- with the time it was last refreshed and its latest record (what an incremental aggregate counts).
ALTER TABLE hj_rate_limits ADD COLUMN slow_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hj_rate_limits ADD COLUMN slow_factor REAL NOT NULL DEFAULT 1;

CREATE TABLE hj_keys (
    set_name TEXT NOT NULL,
    key TEXT NOT NULL,
    added_at INTEGER NOT NULL,
    latest TEXT NULL,
    refreshed_at INTEGER NULL,
    PRIMARY KEY (set_name, key)
);

-- Serves "the stalest keys first" without a sort over the whole set.
CREATE INDEX hj_keys_refreshed ON hj_keys (set_name, refreshed_at);

ALTER TABLE hj_jobs ADD COLUMN key_set TEXT NULL;
