-- The directory kept by an identity provider over SCIM 2.0, and who answers for a request
-- when its approver leaves. Same text for SQLite and PostgreSQL.

-- Imported, SCIM-provisioned and signed-in users are one kind of record. `external_id` is
-- the identity provider's own id for the person (SCIM `externalId`; Entra sends its object
-- id), unique when present. A deactivated user keeps their record, for history, but cannot
-- sign in; a deleted one is also hidden from SCIM (`deleted`).
ALTER TABLE users ADD COLUMN external_id TEXT;
ALTER TABLE users ADD COLUMN active BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1));
ALTER TABLE users ADD COLUMN deleted BIGINT NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1));
ALTER TABLE users ADD COLUMN given_name TEXT;
ALTER TABLE users ADD COLUMN family_name TEXT;
-- What the identity provider sent, where the portal's own columns hold a derived value:
-- `display_name` is never empty (it falls back to the name or userName), `mail` is the
-- primary address; these keep the attribute as sent, or NULL when it was not.
ALTER TABLE users ADD COLUMN scim_display_name TEXT;
-- The `emails` list as JSON.
ALTER TABLE users ADD COLUMN scim_emails TEXT;
-- Written by the identity provider (then SCIM shows the attributes above as sent), rather
-- than only imported from the catalog file (then SCIM shows the portal's own columns).
ALTER TABLE users ADD COLUMN provisioned BIGINT NOT NULL DEFAULT 0 CHECK (provisioned IN (0, 1));
CREATE UNIQUE INDEX users_by_external_id ON users (external_id);

ALTER TABLE groups ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX groups_by_external_id ON groups (external_id);

-- Who decides a stage whose approvers have all left (Entra's fallback approvers).
CREATE TABLE policy_stage_fallback_approvers (
    policy_id TEXT NOT NULL,
    stage BIGINT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (policy_id, stage, user_id),
    FOREIGN KEY (policy_id, stage) REFERENCES policy_stages (policy_id, stage)
);

-- Who answers for a catalog: a stranded request with no fallback approver goes to them.
CREATE TABLE catalog_owners (
    catalog_id TEXT NOT NULL REFERENCES catalogs (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (catalog_id, user_id)
);

-- How each approver of a request came to be there: named by the policy (`singleUser`), as
-- the requestor's manager (`requestorManager`, re-resolved while the stage is open when the
-- manager changes), or because the approvers left (`fallback`, `catalogOwner`).
ALTER TABLE request_stage_approvers ADD COLUMN via TEXT NOT NULL DEFAULT 'singleUser'
    CHECK (via IN ('singleUser', 'requestorManager', 'fallback', 'catalogOwner'));
