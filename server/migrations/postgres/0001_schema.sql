-- The whole schema of Access Portal. The SQLite folder holds the same design; the two
-- differ only where the dialects do (BIGINT, COLLATE "C", the append-only trigger).
-- Ids are TEXT: imported things keep the id of the catalog file, the rest are UUIDs.
-- Times are TEXT in fixed-width RFC 3339 UTC, so that string order is time order.
-- Flags are BIGINT 0 or 1: sqlx's Any driver reads no SQLite BOOLEAN column, and an integer
-- reads the same from both databases.

-- The directory.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    mail TEXT NOT NULL,
    user_principal_name TEXT NOT NULL UNIQUE,
    job_title TEXT,
    manager_id TEXT REFERENCES users (id)
);

CREATE TABLE groups (
    id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    description TEXT NOT NULL
);

CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES groups (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_by_user ON group_members (user_id);

-- The catalog.
CREATE TABLE catalogs (
    id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    description TEXT NOT NULL
);

CREATE TABLE access_packages (
    id TEXT COLLATE "C" PRIMARY KEY,
    catalog_id TEXT NOT NULL REFERENCES catalogs (id),
    display_name TEXT COLLATE "C" NOT NULL,
    description TEXT NOT NULL,
    is_hidden BIGINT NOT NULL CHECK (is_hidden IN (0, 1)),
    -- Lower-cased name, description and resource names: what search looks in.
    search_text TEXT NOT NULL
);
CREATE INDEX access_packages_by_name ON access_packages (display_name, id);

CREATE TABLE resource_roles (
    package_id TEXT NOT NULL REFERENCES access_packages (id),
    position BIGINT NOT NULL,
    display_name TEXT NOT NULL,
    resource_name TEXT NOT NULL,
    resource_type TEXT NOT NULL CHECK (resource_type IN ('group', 'application', 'site')),
    PRIMARY KEY (package_id, position)
);

CREATE TABLE assignment_policies (
    id TEXT PRIMARY KEY,
    package_id TEXT NOT NULL REFERENCES access_packages (id),
    position BIGINT NOT NULL,
    display_name TEXT NOT NULL,
    description TEXT NOT NULL,
    allowed_target_scope TEXT NOT NULL
        CHECK (allowed_target_scope IN ('allUsers', 'specificUsers', 'groupMembers')),
    allow_custom_assignment_schedule BIGINT NOT NULL CHECK (allow_custom_assignment_schedule IN (0, 1)),
    allow_extension BIGINT NOT NULL CHECK (allow_extension IN (0, 1)),
    is_approval_required BIGINT NOT NULL CHECK (is_approval_required IN (0, 1)),
    is_requestor_justification_required BIGINT NOT NULL CHECK (is_requestor_justification_required IN (0, 1)),
    expiration_type TEXT NOT NULL
        CHECK (expiration_type IN ('noExpiration', 'afterDuration', 'afterDateTime')),
    expiration_days BIGINT,
    expiration_date_time TEXT
);
CREATE INDEX assignment_policies_by_package ON assignment_policies (package_id, position);

-- Who may request under a policy: user ids or group ids, per the policy's scope.
CREATE TABLE policy_targets (
    policy_id TEXT NOT NULL REFERENCES assignment_policies (id),
    target_id TEXT NOT NULL,
    PRIMARY KEY (policy_id, target_id)
);

CREATE TABLE policy_stages (
    policy_id TEXT NOT NULL REFERENCES assignment_policies (id),
    stage BIGINT NOT NULL CHECK (stage BETWEEN 1 AND 3),
    duration_before_automatic_denial_days BIGINT NOT NULL,
    is_approver_justification_required BIGINT NOT NULL CHECK (is_approver_justification_required IN (0, 1)),
    PRIMARY KEY (policy_id, stage)
);

-- One row per approver of a stage: the requestor's manager, or one named user.
CREATE TABLE policy_stage_approvers (
    policy_id TEXT NOT NULL,
    stage BIGINT NOT NULL,
    position BIGINT NOT NULL,
    approver_type TEXT NOT NULL CHECK (approver_type IN ('requestorManager', 'singleUser')),
    user_id TEXT REFERENCES users (id),
    PRIMARY KEY (policy_id, stage, position),
    FOREIGN KEY (policy_id, stage) REFERENCES policy_stages (policy_id, stage)
);

CREATE TABLE policy_questions (
    policy_id TEXT NOT NULL REFERENCES assignment_policies (id),
    id TEXT NOT NULL,
    position BIGINT NOT NULL,
    text TEXT NOT NULL,
    is_required BIGINT NOT NULL CHECK (is_required IN (0, 1)),
    question_type TEXT NOT NULL CHECK (question_type IN ('text', 'multipleChoice')),
    is_single_line BIGINT NOT NULL CHECK (is_single_line IN (0, 1)),
    regex_pattern TEXT,
    regex_hint TEXT,
    PRIMARY KEY (policy_id, id)
);

CREATE TABLE question_choices (
    policy_id TEXT NOT NULL,
    question_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    actual_value TEXT NOT NULL,
    display_value TEXT NOT NULL,
    PRIMARY KEY (policy_id, question_id, position),
    FOREIGN KEY (policy_id, question_id) REFERENCES policy_questions (policy_id, id)
);

-- Requests and what became of them.
CREATE TABLE assignment_requests (
    id TEXT COLLATE "C" PRIMARY KEY,
    request_type TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('submitted', 'pendingApproval', 'scheduled',
                                         'delivered', 'denied', 'canceled', 'expired')),
    requestor_id TEXT NOT NULL REFERENCES users (id),
    package_id TEXT NOT NULL REFERENCES access_packages (id),
    policy_id TEXT NOT NULL REFERENCES assignment_policies (id),
    justification TEXT,
    -- The period the requestor asked for, when the policy let them choose one.
    schedule_start TEXT,
    schedule_end TEXT,
    created_at TEXT COLLATE "C" NOT NULL,
    completed_at TEXT,
    -- Bumped by every change, so that each change locks the row before anything else.
    version BIGINT NOT NULL
);
CREATE INDEX assignment_requests_by_requestor
    ON assignment_requests (requestor_id, created_at, id);
-- At most one open request per person and package, even when two arrive at once.
CREATE UNIQUE INDEX one_open_request_per_package
    ON assignment_requests (requestor_id, package_id)
    WHERE state IN ('submitted', 'pendingApproval', 'scheduled');

-- The answers as given, with the question's words at the time.
CREATE TABLE request_answers (
    request_id TEXT NOT NULL REFERENCES assignment_requests (id),
    question_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    question_text TEXT NOT NULL,
    value TEXT NOT NULL,
    display_value TEXT NOT NULL,
    PRIMARY KEY (request_id, question_id)
);

CREATE TABLE request_stages (
    request_id TEXT NOT NULL REFERENCES assignment_requests (id),
    stage BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('notStarted', 'pending', 'approved', 'denied', 'skipped')),
    is_approver_justification_required BIGINT NOT NULL CHECK (is_approver_justification_required IN (0, 1)),
    duration_days BIGINT NOT NULL,
    due_at TEXT,
    decided_by TEXT REFERENCES users (id),
    decided_at TEXT,
    justification TEXT,
    PRIMARY KEY (request_id, stage)
);

-- The approvers of a stage, resolved to people when the request was submitted.
CREATE TABLE request_stage_approvers (
    request_id TEXT NOT NULL,
    stage BIGINT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (request_id, stage, user_id),
    FOREIGN KEY (request_id, stage) REFERENCES request_stages (request_id, stage)
);
CREATE INDEX request_stage_approvers_by_user ON request_stage_approvers (user_id);

CREATE TABLE assignments (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    package_id TEXT NOT NULL REFERENCES access_packages (id),
    policy_id TEXT NOT NULL REFERENCES assignment_policies (id),
    request_id TEXT NOT NULL REFERENCES assignment_requests (id),
    state TEXT NOT NULL CHECK (state IN ('delivered', 'expired', 'revoked')),
    start_at TEXT NOT NULL,
    end_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX assignments_by_user ON assignments (user_id, start_at);
-- A person holds a package at most once.
CREATE UNIQUE INDEX one_assignment_per_package
    ON assignments (user_id, package_id) WHERE state = 'delivered';

-- Every change of state: who, what, when, from which state to which. Rows are only added.
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    entity_type TEXT NOT NULL CHECK (entity_type IN ('assignmentRequest', 'assignment')),
    entity_id TEXT NOT NULL,
    -- The entry's place in its entity's history (1, 2, …).
    seq BIGINT NOT NULL,
    occurred_at TEXT NOT NULL,
    actor_id TEXT REFERENCES users (id),
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    detail TEXT,
    UNIQUE (entity_type, entity_id, seq)
);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_log_is_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
