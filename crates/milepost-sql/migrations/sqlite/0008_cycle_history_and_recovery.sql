-- Every change of a cycle's status (planning → active → closed, and a reopening with its
-- required reason), so a cycle's review shows that it was reopened, by whom and why.
-- Append-only, like events.
CREATE TABLE cycle_transitions (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    cycle_id BIGINT NOT NULL REFERENCES cycles (id),
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    reason TEXT NOT NULL,
    actor_person_id BIGINT REFERENCES people (id),
    actor_token_id BIGINT REFERENCES api_tokens (id),
    at BIGINT NOT NULL
);
CREATE INDEX cycle_transitions_by_cycle ON cycle_transitions (workspace_id, cycle_id, id);

-- The lagging KPI an objective was drafted to bring back on target: a KPI has at most
-- one active recovery objective, and a second draft returns it.
ALTER TABLE objectives ADD COLUMN recovers_kpi_id BIGINT REFERENCES kpis (id);
CREATE INDEX objectives_by_recovered_kpi ON objectives (workspace_id, recovers_kpi_id);
