-- Where a KPI stands among its owner's KPIs, as their KPI file lists them (`milepost
-- apply` sets it, `milepost export` writes in its order). NULL for a KPI never applied
-- from a file: those follow, by id.
ALTER TABLE kpis ADD COLUMN position BIGINT;
