-- The read model (issue 14): each server keeps evaluated cycles in memory and checks
-- them against the workspace's generation, which every write transaction that changes
-- what the model holds bumps just before it commits (so generations are in commit order
-- within a workspace). `changes` says what each generation changed: the key results
-- whose values or check-ins changed (a JSON array of ids), or NULL for anything else,
-- which makes a server reload what it holds of the workspace.
ALTER TABLE workspaces ADD COLUMN generation BIGINT NOT NULL DEFAULT 0;
CREATE TABLE changes (
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    generation BIGINT NOT NULL,
    key_results TEXT,
    PRIMARY KEY (workspace_id, generation)
);
-- A cycle's objectives in id order, for the objectives list of a cycle page by page;
-- it replaces the index by cycle alone.
DROP INDEX objectives_by_cycle;
CREATE INDEX objectives_by_cycle_in_order ON objectives (workspace_id, cycle_id, id);
