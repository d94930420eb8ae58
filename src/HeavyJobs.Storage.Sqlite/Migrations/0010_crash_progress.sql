-- A chunk's progress (done count and cursor) when its last counted death was recorded: a death after progress
-- since then starts the count again instead of adding to it, so only a chunk stuck where it is gets quarantined.
ALTER TABLE hj_chunks ADD COLUMN crash_done INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hj_chunks ADD COLUMN crash_cursor TEXT NULL;
