-- Who may do what: API tokens for machines (stored as hashes only) and the audit
-- trail of every change.

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    prefix TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    revoked_at BIGINT,
    last_used_at BIGINT
);
CREATE INDEX api_tokens_by_workspace ON api_tokens (workspace_id);

-- Append-only: rows are inserted, never updated or deleted.
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    actor_person_id BIGINT REFERENCES people (id),
    actor_token_id BIGINT REFERENCES api_tokens (id),
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    at BIGINT NOT NULL
);
CREATE INDEX events_by_workspace ON events (workspace_id, id);
CREATE INDEX events_by_entity ON events (workspace_id, entity, entity_id);
