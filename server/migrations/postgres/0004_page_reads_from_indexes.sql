-- What every read a page makes answers from, so that none of them grows with the number of
-- requests: the SQLite folder holds the same design, apart from search (see below).

-- Each decided request's wait, from submission to the decision that ended its approval,
-- written in the same transaction as that decision. The decision time of a package reads
-- its latest few hundred from one index, instead of joining the package's whole history of
-- requests with their stages.
CREATE TABLE decision_waits (
    request_id TEXT PRIMARY KEY REFERENCES assignment_requests (id),
    package_id TEXT NOT NULL REFERENCES access_packages (id),
    submitted_at TEXT NOT NULL,
    decided_at TEXT NOT NULL
);
CREATE INDEX decision_waits_by_package
    ON decision_waits (package_id, decided_at, request_id, submitted_at);
INSERT INTO decision_waits (request_id, package_id, submitted_at, decided_at)
SELECT r.id, r.package_id, r.created_at, MAX(s.decided_at)
FROM assignment_requests r JOIN request_stages s ON s.request_id = r.id
WHERE r.state IN ('scheduled', 'delivered', 'denied') AND s.status IN ('approved', 'denied')
    AND s.decided_at IS NOT NULL
GROUP BY r.id, r.package_id, r.created_at;

-- Who a request waits for now: the approvers of its pending stage (the requestor never
-- decides their own), with the request's creation time, so that "waiting for me, newest
-- first" and its count read one person's rows of one index and nothing else. Kept by the
-- store whenever a request's stages or approvers change.
CREATE TABLE waiting_approvals (
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    request_id TEXT NOT NULL REFERENCES assignment_requests (id),
    PRIMARY KEY (user_id, created_at, request_id)
);
CREATE INDEX waiting_approvals_by_request ON waiting_approvals (request_id);
INSERT INTO waiting_approvals (user_id, created_at, request_id)
SELECT DISTINCT a.user_id, r.created_at, r.id
FROM assignment_requests r
JOIN request_stages s ON s.request_id = r.id AND s.status = 'pending'
JOIN request_stage_approvers a ON a.request_id = s.request_id AND a.stage = s.stage
WHERE r.state = 'pendingApproval' AND a.user_id <> r.requestor_id;

-- The open extension request of an assignment (read for each assignment listed).
CREATE INDEX assignment_requests_by_assignment
    ON assignment_requests (assignment_id) WHERE assignment_id IS NOT NULL;

-- The hourly cap on approval emails counts a requestor's recent ones by request.
CREATE INDEX outbox_by_request ON outbox (request_id, kind, created_at);

-- Search: a trigram index (pg_trgm) on the packages' search text, which serves the same
-- `LIKE '%part%'` that SQLite's FTS5 trigram index answers, so both find the same packages.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX access_packages_search ON access_packages USING gin (search_text gin_trgm_ops);
