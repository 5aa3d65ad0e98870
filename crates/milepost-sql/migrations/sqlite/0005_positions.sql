-- Where an objective stands among its owner's objectives, and a key result among its
-- objective's, as the OKR file lists them (`milepost apply` sets it, `milepost export`
-- writes in its order). NULL for what was never applied from a file: those follow, by id.
ALTER TABLE objectives ADD COLUMN position BIGINT;
ALTER TABLE key_results ADD COLUMN position BIGINT;
