-- First run and administration in the browser (issue 15).
--
-- A workspace's time zone (an IANA name, checked when set) and the day and hour of its
-- weekly check-in there: 1 = Monday … 7 = Sunday (ISO 8601), 0–23.
ALTER TABLE workspaces ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE workspaces ADD COLUMN check_in_weekday BIGINT NOT NULL DEFAULT 1;
ALTER TABLE workspaces ADD COLUMN check_in_hour BIGINT NOT NULL DEFAULT 9;

-- The one-time set-up codes `milepost serve` prints while the installation has no
-- workspace (stored as a SHA-256 only). The first set-up that uses one uses them all,
-- and a set-up is refused once any workspace exists, so a code opens one set-up at
-- most. Installation-wide like workspaces itself, so it has no workspace_id.
CREATE TABLE setup_codes (
    id INTEGER PRIMARY KEY,
    code_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
