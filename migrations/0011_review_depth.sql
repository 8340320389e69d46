-- Review depth: a reviewer may ask for changes instead of rejecting, and a rejection becomes
-- final; each round keeps what was asked of it, how many fields changed from the round
-- before, and when a reviewer first took it up, for the comparison, the timeline and the
-- metrics. Portable SQL for SQLite and PostgreSQL.

-- Open: draft, under review, or changes requested (the applicant edits it and submits it as
-- the next round). A rejected application is closed: the account may start a new one. The set
-- only shrinks, so the index builds on every database the old one held on.
DROP INDEX applications_one_open;
CREATE UNIQUE INDEX applications_one_open ON applications (user_id)
    WHERE status IN ('draft', 'under_review', 'changes_requested');

-- requested_changes: what a reviewer asked for when the round's decision is
-- 'changes_requested' (JSON `{"fields":[{"field":…,"note":…}],"general":…}`; '' otherwise).
-- changed_fields: how many of the fields (logo included) differ from the round before (NULL
-- for a first round). assigned_at: when a reviewer first took the round up (assigning it, or
-- deciding it unassigned).
ALTER TABLE application_rounds ADD COLUMN requested_changes TEXT NOT NULL DEFAULT '';
ALTER TABLE application_rounds ADD COLUMN changed_fields BIGINT;
ALTER TABLE application_rounds ADD COLUMN assigned_at BIGINT;

UPDATE application_rounds SET assigned_at = COALESCE(
    (SELECT MIN(e.created_at) FROM application_events e
     WHERE e.application_id = application_rounds.application_id
       AND e.round = application_rounds.round AND e.kind = 'assigned'),
    decided_at);

-- The dashboard's "N fields changed", kept on the application row with the other queue columns;
-- and, while changes are requested, the request (its round's), which the applicant's wizard shows.
ALTER TABLE applications ADD COLUMN queue_changed BIGINT;
ALTER TABLE applications ADD COLUMN requested_changes TEXT NOT NULL DEFAULT '';

-- Metrics read rounds by submission and by decision time.
CREATE INDEX application_rounds_submitted ON application_rounds (submitted_at);
CREATE INDEX application_rounds_decided ON application_rounds (decided_at);

INSERT INTO queue_counts (status, n) VALUES ('changes_requested', 0);
CREATE INDEX application_rounds_assigned ON application_rounds (assigned_at);
