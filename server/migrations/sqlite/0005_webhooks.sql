-- Fulfilment through signed webhooks. Same text for SQLite and PostgreSQL.

-- Where a resource role's grants and removals are sent (the catalog's connector, unless the
-- role names its own); both NULL for a role that is "recorded only".
ALTER TABLE resource_roles ADD COLUMN webhook_url TEXT;
ALTER TABLE resource_roles ADD COLUMN webhook_secret TEXT;

-- Webhooks to send, written in the same transaction as the change of access they tell of,
-- as emails are in `outbox`. The id is the `webhook-id` receivers deduplicate by, and the
-- body is fixed when written, so every attempt sends the same event. A worker claims due
-- rows with a lease (a conditional update, so one instance sends each); a 2xx answer marks
-- it sent, a 4xx other than 408/429 marks it failed for good, anything else is retried later.
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    event_type TEXT NOT NULL CHECK (event_type IN ('access.granted', 'access.removed')),
    request_id TEXT REFERENCES assignment_requests (id),
    assignment_id TEXT NOT NULL REFERENCES assignments (id),
    resource_name TEXT NOT NULL,
    role_name TEXT NOT NULL,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
    attempts BIGINT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    lease_owner TEXT,
    lease_until TEXT,
    sent_at TEXT,
    -- The receiver's last answer: its HTTP status (NULL when none came) and what it said or
    -- why nothing came.
    last_status BIGINT,
    last_error TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
CREATE INDEX webhook_deliveries_by_request ON webhook_deliveries (request_id, event_type);
CREATE INDEX webhook_deliveries_recent ON webhook_deliveries (created_at, id);
