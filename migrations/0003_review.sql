-- Reviews: reviewer accounts, assignment and decisions on applications, and a numbered feed of
-- application events that live dashboards follow (and catch up on after a dropped connection).
-- Portable SQL for SQLite and PostgreSQL.

ALTER TABLE users ADD COLUMN is_reviewer BIGINT NOT NULL DEFAULT 0;

-- round: how many times the application was submitted; a decision names the round it saw, so
-- a stale page cannot decide a resubmission nobody has looked at.
ALTER TABLE applications ADD COLUMN round BIGINT NOT NULL DEFAULT 0;
ALTER TABLE applications ADD COLUMN assigned_to TEXT;
ALTER TABLE applications ADD COLUMN decided_by TEXT;
ALTER TABLE applications ADD COLUMN decided_at BIGINT;
ALTER TABLE applications ADD COLUMN decision_reason TEXT NOT NULL DEFAULT '';
UPDATE applications SET round = 1 WHERE status <> 'draft';
CREATE INDEX applications_queue ON applications (status, submitted_at);

-- Every event gets the next number from one counter row; the row lock held until commit makes
-- the numbers visible in commit order, so "everything after N" never skips a late commit.
ALTER TABLE application_events ADD COLUMN seq BIGINT;
UPDATE application_events SET seq = (
    SELECT COUNT(*) FROM application_events e2
    WHERE e2.created_at < application_events.created_at
       OR (e2.created_at = application_events.created_at AND e2.id <= application_events.id)
);
CREATE UNIQUE INDEX application_events_seq ON application_events (seq);

CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value)
    SELECT 'events', COALESCE(MAX(seq), 0) FROM application_events;
