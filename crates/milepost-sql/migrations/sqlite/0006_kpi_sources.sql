-- Where a KPI's values come from when the server pulls them itself (a SQL query, a
-- PromQL query or a JSON HTTP endpoint), as JSON text; NULL for a KPI fed by hand or
-- by the API. The scheduler runs a source when `next_run_at` (unix ms) has come, and
-- records the outcome: `last_run_at`, and the last failure with its time.
ALTER TABLE kpis ADD COLUMN source TEXT;
ALTER TABLE kpis ADD COLUMN last_run_at BIGINT;
ALTER TABLE kpis ADD COLUMN last_error TEXT;
ALTER TABLE kpis ADD COLUMN last_error_at BIGINT;
ALTER TABLE kpis ADD COLUMN next_run_at BIGINT;
CREATE INDEX kpis_next_run ON kpis (next_run_at);
