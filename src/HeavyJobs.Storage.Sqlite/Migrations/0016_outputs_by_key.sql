-- A chunk's outputs by key: a parse chunk reads the few hundred answers its fetch checkpoint wrote, not every
-- output of a fetch chunk that may hold tens of thousands (read whole, each parse chunk cost the square of the
-- fetch chunk's size). It serves the lookups by chunk alone as well, so it replaces that index; workers of the
-- previous release read through it unchanged.
CREATE INDEX hj_outputs_chunk_key ON hj_outputs (chunk_id, key);
DROP INDEX hj_outputs_chunk;
