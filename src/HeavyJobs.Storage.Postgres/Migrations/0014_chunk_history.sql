-- Chunk history for operators. The hold a chunk is in (or ended with when it was done) is read from the chunk
-- itself: since when its holder held it and the cursor it started from, set by the claim. Only a hold that ended
-- any other way (a death, a release, a failure, a reset, a cancel) is written as a row, so a chunk done by its
-- first holder, the burn-down's common case, writes no history at all.
ALTER TABLE hj_chunks ADD COLUMN held_at BIGINT NULL;
ALTER TABLE hj_chunks ADD COLUMN held_from TEXT NULL;
-- Checkpoints committed so far (its number); a rewind sets it back to the checkpoint it goes to.
ALTER TABLE hj_chunks ADD COLUMN checkpoints BIGINT NOT NULL DEFAULT 0;
-- The checkpoint whose commit wrote the output; NULL for outputs written with the completion (after every checkpoint).
ALTER TABLE hj_outputs ADD COLUMN checkpoint BIGINT NULL;

CREATE TABLE hj_chunk_holds (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    chunk_id BIGINT NOT NULL,
    job_id BIGINT NOT NULL,
    worker_id BIGINT NOT NULL,
    node TEXT NULL,
    from_cursor TEXT NULL,
    to_cursor TEXT NULL,
    started_at BIGINT NULL,
    ended_at BIGINT NOT NULL,
    ended TEXT NOT NULL,
    reason TEXT NULL
);
CREATE INDEX hj_chunk_holds_chunk ON hj_chunk_holds (chunk_id, id);

-- A ring of the last checkpoints per chunk: checkpoint n goes to slot n mod the bound, so keeping it bounded
-- costs one upsert per checkpoint and no delete.
CREATE TABLE hj_chunk_checkpoints (
    chunk_id BIGINT NOT NULL,
    slot INTEGER NOT NULL,
    job_id BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    cursor TEXT NULL,
    done BIGINT NOT NULL,
    good BIGINT NOT NULL,
    bad BIGINT NOT NULL,
    worker_id BIGINT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (chunk_id, slot)
);
