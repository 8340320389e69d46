-- The reviewers' queue at scale: what the queue filters, sorts and searches on is kept on the
-- application row (set at each submission from its round), so that one table's composite
-- indexes answer every filter and sort without a join, and paging walks an index from a cursor
-- (submitted_at, id) instead of counting rows off. Counts per status are kept, not counted.
-- Portable SQL for SQLite and PostgreSQL; the text index for search is backend-specific and is
-- made at start-up (`review::search_index`).

-- NULL while a draft. queue_search: the current round's company name and the applicant's
-- e-mail, lower-cased, joined by a line break (which a search box cannot send, so a search
-- never matches across the two).
ALTER TABLE applications ADD COLUMN queue_role TEXT;
ALTER TABLE applications ADD COLUMN queue_country TEXT;
ALTER TABLE applications ADD COLUMN queue_company TEXT;
ALTER TABLE applications ADD COLUMN queue_search TEXT;

-- The cursor is (submitted_at, id): every submitted application has its time.
UPDATE applications SET submitted_at = updated_at WHERE status <> 'draft' AND submitted_at IS NULL;

UPDATE applications SET
    queue_role = COALESCE((SELECT r.role FROM application_rounds r
        WHERE r.application_id = applications.id AND r.round = applications.round), role),
    queue_country = COALESCE((SELECT r.country FROM application_rounds r
        WHERE r.application_id = applications.id AND r.round = applications.round), country),
    queue_company = COALESCE((SELECT r.company_name FROM application_rounds r
        WHERE r.application_id = applications.id AND r.round = applications.round), company_name)
WHERE status <> 'draft';
UPDATE applications SET queue_search = LOWER(queue_company) || '
' || LOWER((SELECT u.email FROM users u WHERE u.id = applications.user_id))
WHERE status <> 'draft';

-- Each index serves one filter with the sort, in both directions, from a cursor.
DROP INDEX IF EXISTS applications_queue;
CREATE INDEX applications_queue_status ON applications (status, submitted_at, id);
CREATE INDEX applications_queue_all ON applications (submitted_at, id) WHERE status <> 'draft';
CREATE INDEX applications_queue_role ON applications (queue_role, submitted_at, id);
CREATE INDEX applications_queue_country ON applications (queue_country, submitted_at, id);
-- Searches of one or two characters (too short for a trigram index) match the start of the
-- company name, through these.
CREATE INDEX applications_queue_start1 ON applications (SUBSTR(queue_search, 1, 1), submitted_at, id);
CREATE INDEX applications_queue_start2 ON applications (SUBSTR(queue_search, 1, 2), submitted_at, id);

-- Submitted applications per status, moved by one statement in the transaction of every
-- status change (`review::store::count_move`).
CREATE TABLE queue_counts (
    status TEXT PRIMARY KEY,
    n BIGINT NOT NULL
);
INSERT INTO queue_counts (status, n)
    SELECT 'under_review', COUNT(*) FROM applications WHERE status = 'under_review';
INSERT INTO queue_counts (status, n)
    SELECT 'approved', COUNT(*) FROM applications WHERE status = 'approved';
INSERT INTO queue_counts (status, n)
    SELECT 'rejected', COUNT(*) FROM applications WHERE status = 'rejected';
