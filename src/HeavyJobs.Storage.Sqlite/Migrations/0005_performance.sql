-- Fewer index writes per chunk: heartbeats and checkpoints change lease_expires_at, and no index has to
-- follow it. Reclaiming expired leases reads the chunks held right now through hj_chunks_owner instead.
DROP INDEX IF EXISTS hj_chunks_lease;
