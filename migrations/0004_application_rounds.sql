-- Applications: one open application per account, decided by the database; and every
-- submission kept as the reviewers saw it (a round), with the decision made on it.
-- Portable SQL for SQLite and PostgreSQL.

-- Open: draft, under_review, rejected (the applicant edits a rejected application and submits
-- it again). An approved application is a workspace and stays; the account may start another.
-- Before this migration parallel requests could start several: keep one per account, the
-- submitted one before drafts and then the newest, so the unique index below always builds.
DELETE FROM applications
WHERE status IN ('draft', 'under_review', 'rejected')
  AND EXISTS (
    SELECT 1 FROM applications b
    WHERE b.user_id = applications.user_id
      AND b.id <> applications.id
      AND b.status IN ('draft', 'under_review', 'rejected')
      AND (
        (b.status <> 'draft' AND applications.status = 'draft')
        OR (
          (CASE WHEN b.status = 'draft' THEN 0 ELSE 1 END)
            = (CASE WHEN applications.status = 'draft' THEN 0 ELSE 1 END)
          AND (
            b.created_at > applications.created_at
            OR (b.created_at = applications.created_at AND b.id > applications.id)
          )
        )
      )
  );
CREATE UNIQUE INDEX applications_one_open ON applications (user_id)
    WHERE status IN ('draft', 'under_review', 'rejected');

-- A round is one submission: what was sent for review, frozen, and the decision on it
-- (decision: approved or rejected; NULL while under review). The application row is the
-- applicant's working copy, edited again after a rejection for the next round.
CREATE TABLE application_rounds (
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    round BIGINT NOT NULL,
    role TEXT NOT NULL,
    company_name TEXT NOT NULL,
    business_address TEXT NOT NULL,
    country TEXT NOT NULL,
    representative TEXT NOT NULL,
    website TEXT NOT NULL,
    service_phone TEXT NOT NULL,
    service_email TEXT NOT NULL,
    logo_id TEXT,
    submitted_at BIGINT NOT NULL,
    decided_by TEXT,
    decided_at BIGINT,
    decision TEXT,
    decision_reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (application_id, round)
);
-- A logo a round shows is never deleted when the draft's logo is replaced.
CREATE INDEX application_rounds_logo ON application_rounds (logo_id);

-- Earlier submissions were overwritten in place: the latest round is what there is.
INSERT INTO application_rounds (application_id, round, role, company_name, business_address,
    country, representative, website, service_phone, service_email, logo_id, submitted_at,
    decided_by, decided_at, decision, decision_reason)
SELECT id, round, role, company_name, business_address, country, representative, website,
    service_phone, service_email, logo_id, COALESCE(submitted_at, updated_at), decided_by,
    decided_at, CASE WHEN status IN ('approved', 'rejected') THEN status END, decision_reason
FROM applications
WHERE status <> 'draft' AND round > 0;

-- The round an event belongs to (0: before the first submission).
ALTER TABLE application_events ADD COLUMN round BIGINT NOT NULL DEFAULT 0;
UPDATE application_events SET round = (
    SELECT COUNT(*) FROM application_events e2
    WHERE e2.application_id = application_events.application_id
      AND e2.kind IN ('submitted', 'resubmitted')
      AND e2.seq <= application_events.seq
);
