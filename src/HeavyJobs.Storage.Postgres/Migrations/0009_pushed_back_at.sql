-- When a server last pushed back (a new incident): a turn reserved before it is void, though already handed out.
-- Numbered 0008 on PostgreSQL before the two dialects' numbers were aligned: a database that applied it then
-- has version 8 recorded, takes 0008_open_and_settled as done, and runs this again, which must change nothing.
ALTER TABLE hj_rate_limits ADD COLUMN IF NOT EXISTS pushed_back_at BIGINT NOT NULL DEFAULT 0;
