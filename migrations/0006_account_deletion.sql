-- Deleted accounts: the row stays as a tombstone (its e-mail, username and password replaced)
-- so that the applications it submitted keep their applicant for the reviewers' records.
-- NULL while the account lives. Portable SQL for SQLite and PostgreSQL.
ALTER TABLE users ADD COLUMN deleted_at BIGINT;
