-- The job whose committed checkpoint last marked a key (fresh or attempted). An aggregate over the whole set reads
-- only the keys its own job did not mark, so it holds nothing per key it did: flat memory at a million keys. Job
-- ids are never reused (jobs are never deleted). Expand only: a monitor of the previous release marks keys without
-- it, so a refresh parsed partly through such a monitor carries those keys over as well (docs/operations.md).
ALTER TABLE hj_keys ADD COLUMN marked_by BIGINT NULL;
