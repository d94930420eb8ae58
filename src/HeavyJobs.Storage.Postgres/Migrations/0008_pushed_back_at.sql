-- When a server last pushed back (a new incident): a turn reserved before it is void, though already handed out.
ALTER TABLE hj_rate_limits ADD COLUMN pushed_back_at BIGINT NOT NULL DEFAULT 0;
