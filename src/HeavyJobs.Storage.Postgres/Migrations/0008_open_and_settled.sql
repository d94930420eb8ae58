-- SQLite's 0008 replaces its (job_id, state) index with partial indexes that a claim does not touch, because
-- SQLite rewrites the entries of every index naming a column an UPDATE sets. PostgreSQL keeps (job_id, state):
-- a claim there is never a HOT update anyway. Kept as a version of its own so both dialects number alike.
SELECT 1;
