-- Formula KPIs and driver trees (issue 20). `formula` is the expression a formula KPI
-- is computed from, as written (`orders * average-order-value`): its values are
-- measurements of source `formula`, recomputed when an input's are recorded or
-- corrected. `drivers` lists, as a JSON array of slugs, the KPIs a person named as
-- driving this one (a formula's inputs drive it without being listed).
ALTER TABLE kpis ADD COLUMN formula TEXT;
ALTER TABLE kpis ADD COLUMN drivers TEXT NOT NULL DEFAULT '[]';
