-- People log in with email and password (Argon2id hashes only); browsers keep a
-- session cookie whose SHA-256 is stored here, so several app servers on one database
-- share sessions. Failed logins are kept for rate limiting, also shared.

ALTER TABLE people ADD COLUMN password_hash TEXT;

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    person_id BIGINT NOT NULL REFERENCES people (id),
    secret_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX sessions_by_person ON sessions (workspace_id, person_id);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    email TEXT NOT NULL,
    address TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_by_email ON login_failures (workspace_id, email, at);
CREATE INDEX login_failures_by_address ON login_failures (workspace_id, address, at);
