-- Webhooks (issue 17): a workspace's receivers of events, and the durable outbox of
-- their deliveries. A use case writes one `webhook_deliveries` row per webhook that
-- asks for its event, in the same transaction as the change, so a delivery exists
-- exactly when the change committed. The servers' delivery workers claim due rows by
-- compare-and-set on `lease_until` (a claim that a crashed server leaves runs out and
-- is taken again) and append one `webhook_attempts` row per try.

CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    url TEXT NOT NULL,
    -- The event types it asks for, as a JSON array of names (`["check_in.created"]`).
    events TEXT NOT NULL,
    -- `whsec_` and the base64 key: kept, as the signing needs it; shown once.
    secret TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX webhooks_by_workspace ON webhooks (workspace_id, id);

CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    webhook_id BIGINT NOT NULL REFERENCES webhooks (id),
    -- The Standard Webhooks `webhook-id`: the same on every attempt of this delivery.
    message_id TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    -- The body as sent, JSON: the same bytes on every attempt.
    payload TEXT NOT NULL,
    -- pending, delivered or failed.
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    -- Claimed by a worker until then; NULL when nobody holds it.
    lease_until BIGINT,
    -- Who holds the claim (random per claim), so only its holder records the outcome.
    lease_token TEXT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (workspace_id, webhook_id, id);

-- Append-only: one row per attempt.
CREATE TABLE webhook_attempts (
    id INTEGER PRIMARY KEY,
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    delivery_id BIGINT NOT NULL REFERENCES webhook_deliveries (id),
    attempted_at BIGINT NOT NULL,
    status_code BIGINT,
    error TEXT,
    duration_ms BIGINT NOT NULL
);
CREATE INDEX webhook_attempts_by_delivery ON webhook_attempts (workspace_id, delivery_id, id);
