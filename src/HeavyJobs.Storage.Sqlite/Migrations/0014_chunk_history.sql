-- Chunk history for operators. The hold a chunk is in (or ended with when it was done) is read from the chunk
-- itself: since when its holder held it and the cursor it started from, set by the claim. Only a hold that ended
-- any other way (a death, a release, a failure, a reset, a cancel) is written as a row, so a chunk done by its
-- first holder, the burn-down's common case, writes no history at all.
ALTER TABLE hj_chunks ADD COLUMN held_at INTEGER NULL;
ALTER TABLE hj_chunks ADD COLUMN held_from TEXT NULL;
-- Checkpoints committed so far (its number); a rewind sets it back to the checkpoint it goes to.
ALTER TABLE hj_chunks ADD COLUMN checkpoints INTEGER NOT NULL DEFAULT 0;
-- The checkpoint whose commit wrote the output; NULL for outputs written with the completion (after every checkpoint).
ALTER TABLE hj_outputs ADD COLUMN checkpoint INTEGER NULL;

CREATE TABLE hj_chunk_holds (
    id INTEGER PRIMARY KEY,
    chunk_id INTEGER NOT NULL,
    job_id INTEGER NOT NULL,
    worker_id INTEGER NOT NULL,
    node TEXT NULL,
    from_cursor TEXT NULL,
    to_cursor TEXT NULL,
    started_at INTEGER NULL,
    ended_at INTEGER NOT NULL,
    ended TEXT NOT NULL,
    reason TEXT NULL
);
CREATE INDEX hj_chunk_holds_chunk ON hj_chunk_holds (chunk_id, id);

-- A ring of the last checkpoints per chunk: checkpoint n goes to slot n mod the bound, so keeping it bounded
-- costs one upsert per checkpoint and no delete.
CREATE TABLE hj_chunk_checkpoints (
    chunk_id INTEGER NOT NULL,
    slot INTEGER NOT NULL,
    job_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    cursor TEXT NULL,
    done INTEGER NOT NULL,
    good INTEGER NOT NULL,
    bad INTEGER NOT NULL,
    worker_id INTEGER NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (chunk_id, slot)
);
