-- Reading the past (issue 18, `as_of`): a view as of an instant reads, for objectives
-- and key results, the events recorded after it (each one's state before its first
-- later change is its state then). This index finds them without walking every event
-- of the kind in the workspace.
CREATE INDEX events_by_entity_time ON events (workspace_id, entity, at);
