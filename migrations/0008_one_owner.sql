-- A workspace has one Owner at most, whatever runs at once: a transfer demotes the Owner before
-- it promotes the Admin, in one transaction, and a second promotion fails here. Portable SQL
-- for SQLite and PostgreSQL (both have partial unique indexes).
CREATE UNIQUE INDEX workspace_members_one_owner ON workspace_members (workspace_id) WHERE role = 'owner';
