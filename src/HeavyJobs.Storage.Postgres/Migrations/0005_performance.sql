-- Fewer index writes per chunk and no bloat over long runs.
-- Heartbeats and checkpoints change lease_expires_at and the counters. With no index on lease_expires_at
-- they touch no indexed column, so PostgreSQL makes them HOT updates: no index entry is written, and the
-- new row version goes in the same page (fillfactor leaves room for it). Reclaiming expired leases reads
-- the chunks held right now through hj_chunks_owner instead, a small partial index.
DROP INDEX IF EXISTS hj_chunks_lease;
-- Claims and completions change state, so they are never HOT: vacuum the dead versions they leave early and
-- without throttling, so the table and the claim index stay the size of their live rows.
ALTER TABLE hj_chunks SET (
    fillfactor = 90,
    autovacuum_vacuum_scale_factor = 0.02,
    autovacuum_vacuum_insert_scale_factor = 0.02,
    autovacuum_analyze_scale_factor = 0.02,
    autovacuum_vacuum_cost_delay = 0);
