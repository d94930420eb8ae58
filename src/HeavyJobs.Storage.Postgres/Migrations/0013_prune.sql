-- Retention: when a finished job's chunks began to be pruned. From then on its counts are read from its last
-- recount (hj_job_stats, made just before), which the roll-up no longer repeats, so the job's pages keep showing
-- what it did after its chunks are gone.
ALTER TABLE hj_jobs ADD COLUMN pruned_at BIGINT NULL;
