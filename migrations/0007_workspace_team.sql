-- A workspace is a team: members have roles (applicant before approval; owner, admin,
-- developer, operator after), a status, and who invited them; invitations are links mailed to
-- an address. Portable SQL for SQLite and PostgreSQL.

-- 'active' for now; blocking (a later change) sets another status, and every access check
-- asks for 'active'.
ALTER TABLE workspace_members ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
-- The member who invited them (NULL for the applicant, who made the workspace).
ALTER TABLE workspace_members ADD COLUMN invited_by TEXT;
CREATE INDEX workspace_members_user ON workspace_members (user_id);

-- One row per invitation. The link's token is stored only as its SHA-256; a resend replaces
-- it (the old link stops working). state: pending (expired once expires_at has passed),
-- accepted, withdrawn.
CREATE TABLE workspace_invitations (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    invited_by TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    sent_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    ended_at BIGINT,
    accepted_by TEXT REFERENCES users (id)
);
CREATE INDEX workspace_invitations_workspace ON workspace_invitations (workspace_id, state, expires_at);
-- At most one open invitation per address and workspace: inviting it again renews that one.
CREATE UNIQUE INDEX workspace_invitations_one_pending ON workspace_invitations (workspace_id, email)
    WHERE state = 'pending';

-- Invitation mails sent per workspace and clock hour (window_hour = unix ms / 3600000), counted by
-- one upsert that refuses to pass the limit.
CREATE TABLE invitation_mail_counts (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    window_hour BIGINT NOT NULL,
    sent BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, window_hour)
);
