-- Per-stage pace on the dashboard from the recount it already makes: chunks of each job, stage and state that
-- finished in the JobProgress window (five minutes) before the job's refreshed_at.
ALTER TABLE hj_job_stats ADD COLUMN finished_recent BIGINT NOT NULL DEFAULT 0;
