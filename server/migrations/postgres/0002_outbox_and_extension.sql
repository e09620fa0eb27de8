-- Notifications and extensions. Same text for SQLite and PostgreSQL.

-- A `userExtend` request names the assignment whose end it moves.
ALTER TABLE assignment_requests ADD COLUMN assignment_id TEXT REFERENCES assignments (id);

-- Emails to send, written in the same transaction as the change they tell of, so that no
-- change is committed without its messages and no message exists without its change. A
-- worker claims due rows with a lease (a conditional update, so one instance sends each),
-- sends them, and marks them sent; a failed attempt is retried later, longer and longer.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    -- What the message is about: decisionNeeded, approved, denied, delivered, expired,
    -- extended, reminder14Days, reminder1Day.
    kind TEXT NOT NULL,
    -- Makes a message that must be written once only (a reminder) write once, whoever
    -- writes it; NULL for the rest.
    dedupe_key TEXT UNIQUE,
    request_id TEXT REFERENCES assignment_requests (id),
    recipient_id TEXT NOT NULL REFERENCES users (id),
    recipient_name TEXT NOT NULL,
    recipient_mail TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
    attempts BIGINT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    -- Who is sending it, and until when others leave it alone.
    lease_owner TEXT,
    lease_until TEXT,
    sent_at TEXT,
    last_error TEXT
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
