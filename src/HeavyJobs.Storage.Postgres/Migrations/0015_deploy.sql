-- What a command needs beyond its kind and worker: a rolling deploy's version and build folder (JSON). Null for
-- the older kinds, so monitors of the previous release read the table as before (expand only).
ALTER TABLE hj_commands ADD COLUMN arg TEXT NULL;
