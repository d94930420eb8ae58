-- The version each worker reports for itself in its hello (version keeps the one its monitor started it with), so
-- a rolling deploy shows which workers already run the new code. Null until the worker said hello.
ALTER TABLE hj_workers ADD COLUMN worker_version TEXT NULL;
