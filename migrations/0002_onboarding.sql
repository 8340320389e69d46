-- Applications (the onboarding wizard's draft and submission), their workspaces, members,
-- history, and uploaded logos. Portable SQL for SQLite and PostgreSQL.

-- status: draft, under_review, approved, rejected. Fields hold what the applicant typed
-- (a draft may be incomplete); a submitted application holds parsed, normalised values.
CREATE TABLE applications (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    status TEXT NOT NULL,
    company_name TEXT NOT NULL,
    business_address TEXT NOT NULL,
    country TEXT NOT NULL,
    representative TEXT NOT NULL,
    website TEXT NOT NULL,
    service_phone TEXT NOT NULL,
    service_email TEXT NOT NULL,
    logo_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    submitted_at BIGINT
);
CREATE INDEX applications_user ON applications (user_id, created_at);

-- A workspace shares its application's id and is named after the company.
CREATE TABLE workspaces (
    id TEXT PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- role: applicant (while under review), owner (once approved).
CREATE TABLE workspace_members (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);

-- What happened to an application, and who did it.
CREATE TABLE application_events (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    actor_id TEXT,
    note TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX application_events_app ON application_events (application_id, created_at);

-- Re-encoded logo images; stored in the database so every instance serves the same bytes.
CREATE TABLE logos (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    content_type TEXT NOT NULL,
    data BYTEA NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    etag TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX logos_user ON logos (user_id);
