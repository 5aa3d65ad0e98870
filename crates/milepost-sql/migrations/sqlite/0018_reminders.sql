-- Reminders by email and the calendar feed (issue 17, points 2 and 6).
--
-- Quiet hours of a workspace, in its time zone: no reminder is sent from the start
-- hour up to (not including) the end hour; both NULL when there are none. 20 and 8
-- mean 20:00-08:00.
ALTER TABLE workspaces ADD COLUMN quiet_hours_start BIGINT;
ALTER TABLE workspaces ADD COLUMN quiet_hours_end BIGINT;

-- The people who asked for no reminder emails.
CREATE TABLE reminder_opt_outs (
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    person_id BIGINT NOT NULL REFERENCES people (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, person_id)
);

-- One row per reminder: a person's check-in reminder of one period (the local date of
-- the workspace's check-in day). The row is the claim: it is written, with a lease,
-- before the email is sent, and a server sends only under a lease it took by
-- compare-and-set, so several servers send it once. A failed send gives the lease up
-- (the next pass tries again); a crash leaves the lease to expire, and the next pass
-- sends again with the same Message-ID (at least once).
CREATE TABLE reminders (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    person_id BIGINT NOT NULL REFERENCES people (id),
    period TEXT NOT NULL,
    message_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    lease_until BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    sent_at BIGINT,
    last_error TEXT,
    UNIQUE (workspace_id, person_id, period)
);

-- A person's private calendar feed: only the SHA-256 of its token is kept. One per
-- person; a new one replaces (revokes) the old.
CREATE TABLE calendar_feeds (
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    person_id BIGINT NOT NULL REFERENCES people (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, person_id)
);
