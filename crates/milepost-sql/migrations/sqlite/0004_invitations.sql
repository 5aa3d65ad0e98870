-- Invitation links: an admin invites a person by email; the link (shown once, stored
-- as a SHA-256) lets them choose a password once, within a week.

CREATE TABLE invitations (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    person_id BIGINT NOT NULL REFERENCES people (id),
    secret_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    accepted_at BIGINT
);
CREATE INDEX invitations_by_person ON invitations (workspace_id, person_id);
